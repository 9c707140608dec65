using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Jobs;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// On start-up, makes the database tell the truth again: runs left Running with no live worker become
/// Interrupted (resumable), queued runs whose job was lost in flight go back on the queue, and jobs the queue still
/// shows as Processing for a studio that is gone (killed, say) are settled. Only one studio runs on a saves/ folder
/// (SavesLock), so at start-up nothing can really be processing.
/// </summary>
public sealed class StartupReconciler(IDbContextFactory<StudioDbContext> dbFactory, JobStorage storage, ILogger<StartupReconciler> log)
{
    public async Task<(int Interrupted, int Requeued)> ReconcileAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        int interrupted = 0, requeued = 0;
        foreach (var run in await db.Runs.Where(r => r.Status == RunStatus.Running).ToListAsync())
        {
            if (run.WorkerPid is { } pid && WorkerProcess.IsAlive(pid, run.Id))
                PosixSignals.Send(pid, PosixSignals.SigTerm); // an orphan of the previous studio: let it stop cleanly
            run.Status = RunStatus.Interrupted;
            run.FinishedAt = DateTime.UtcNow;
            run.WorkerPid = null;
            run.Error = "The studio stopped while this run was in progress; resume it from its last checkpoint.";
            interrupted++;
        }
        await db.SaveChangesAsync();

        using var connection = storage.GetConnection();
        foreach (var run in await db.Runs.Where(r => r.Status == RunStatus.Queued).ToListAsync())
        {
            var state = run.JobId is null ? null : connection.GetStateData(run.JobId)?.Name;
            if (state is "Enqueued" or "Scheduled" or "Awaiting") continue;
            // Fetched by a studio that then died (Processing), lost, or never created: queue it again.
            run.JobId = RequeueOrCreate(run);
            requeued++;
        }
        await db.SaveChangesAsync();
        SettleOrphanedJobs(await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Queued && r.JobId != null).Select(r => r.JobId!).ToListAsync());
        if (interrupted + requeued > 0)
            log.LogInformation("Start-up: {Interrupted} run(s) marked interrupted, {Requeued} queued run(s) put back on the queue.", interrupted, requeued);
        return (interrupted, requeued);
    }

    /// <summary>
    /// A job left Processing by a studio that died would stay so on the dashboard until the queue's invisibility
    /// timeout (30 days): it is deleted with the reason, since its run is now interrupted (resuming makes a new job).
    /// </summary>
    void SettleOrphanedJobs(IReadOnlyCollection<string> queuedJobs)
    {
        var client = new BackgroundJobClient(storage);
        var processing = storage.GetMonitoringApi().ProcessingJobs(0, 10_000);
        foreach (var job in processing.Select(j => j.Key).Where(id => !queuedJobs.Contains(id)))
        {
            if (client.ChangeState(job, new DeletedState { Reason = "The studio stopped while this job ran; its run is interrupted and can be resumed from its page." }, ProcessingState.StateName))
                log.LogInformation("Start-up: job {JobId}, left processing by a studio that stopped, is settled.", job);
        }
    }

    string RequeueOrCreate(Run run)
    {
        var client = new BackgroundJobClient(storage);
        if (run.JobId is not null && client.Requeue(run.JobId)) return run.JobId;
        return RunQueue.Enqueue(client, run);
    }
}
