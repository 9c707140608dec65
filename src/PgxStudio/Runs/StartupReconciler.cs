using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Jobs;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// On start-up, makes the database tell the truth again: runs left Running with no live worker become
/// Interrupted (resumable), and queued runs whose job was lost in flight go back on the queue.
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
        if (interrupted + requeued > 0)
            log.LogInformation("Start-up: {Interrupted} run(s) marked interrupted, {Requeued} queued run(s) put back on the queue.", interrupted, requeued);
        return (interrupted, requeued);
    }

    string RequeueOrCreate(Run run)
    {
        var client = new BackgroundJobClient(storage);
        if (run.JobId is not null && client.Requeue(run.JobId)) return run.JobId;
        return RunQueue.Enqueue(client, run);
    }
}
