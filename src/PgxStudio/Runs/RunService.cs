using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PgxStudio.Hosting;
using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Runs;

/// <summary>What pages and the CLI do with runs: queue them, cancel, resume, delete, list the queue.</summary>
public sealed class RunService(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBackgroundJobClient jobs,
    WorkerRegistry registry,
    RunEvents bus,
    StudioPaths paths,
    IOptions<StudioOptions> options,
    Audit.AuditLog audit)
{
    /// <summary>Records a new run and puts its job on the queue its kind belongs to.</summary>
    public async Task<Run> EnqueueAsync(RunKind kind, string name, string owner, string config, string? outputDir = null)
    {
        if (string.IsNullOrWhiteSpace(owner))
            throw new RunRequestException("Enter your name first: every queued job records who queued it.");
        // The studio deletes only under saves/, so a run's folder must lie there ("a/../.." in a path must not lead out).
        if (outputDir is not null && !paths.IsUnderSaves(paths.Resolve(outputDir)))
            throw new RunRequestException("The run folder {0} lies outside {1}/; runs keep their files under it.", outputDir, Path.GetRelativePath(paths.ContentRoot, paths.Saves));
        await using var db = await dbFactory.CreateDbContextAsync();
        var run = new Run
        {
            Kind = kind,
            Name = string.IsNullOrWhiteSpace(name) ? $"{kind.ToString().ToLowerInvariant()}-{DateTime.Now:yyyy-MM-dd-HH-mm-ss}" : name.Trim(),
            Owner = owner.Trim(),
            Config = config,
            CreatedAt = DateTime.UtcNow,
            Status = RunStatus.Queued,
        };
        Training.TrainRunColumns.Fill(run); // the Runs list's Model, Method and Datasets columns
        db.Runs.Add(run);
        await Record(db, "The new run");
        run.OutputDir = outputDir ?? Path.Combine(Path.GetRelativePath(paths.ContentRoot, paths.Saves), kind.ToString().ToLowerInvariant(), $"run-{run.Id}");
        try
        {
            run.JobId = Enqueue(run);
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (StorageFailure.Is(e))
        {
            // Without its job the run would wait forever: take it back (a restart re-queues it if even that fails).
            if (run.JobId is not null) TryDeleteJob(run.JobId);
            db.Runs.Remove(run);
            try { await db.SaveChangesAsync(); }
            catch (Exception again) when (StorageFailure.Is(again)) { }
            throw new RunRequestException(StorageFailure.Explain("The new run", e));
        }
        bus.Publish(new RunUpdate(run.Id, run.Status));
        await audit.RecordAsync(run.Owner, kind == RunKind.Serve ? "loaded" : "queued", Audit.AuditLog.Subject(run));
        return run;
    }

    /// <summary>Saves, turning a write the disk refused into the one sentence the page shows.</summary>
    static async Task Record(StudioDbContext db, string what)
    {
        try { await db.SaveChangesAsync(); }
        catch (Exception e) when (StorageFailure.Is(e)) { throw new RunRequestException(StorageFailure.Explain(what, e)); }
    }

    void TryDeleteJob(string jobId)
    {
        try { jobs.Delete(jobId); }
        catch (Exception e) when (StorageFailure.Is(e)) { }
    }

    string Enqueue(Run run) => RunQueue.Enqueue(jobs, run);

    public static string QueueOf(RunKind kind) => RunQueue.Of(kind);

    /// <summary>
    /// A queued run leaves the queue at once; a running one is asked to stop gracefully (its worker saves a
    /// checkpoint and exits) and is killed if it has not stopped after the grace period.
    /// </summary>
    public async Task<Run> CancelAsync(int runId, StudioUser user)
    {
        user.RequireMayAct(new Sentence("cancel runs"));
        await using var db = await dbFactory.CreateDbContextAsync();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId)
                  ?? throw new RunRequestException("Run {0} does not exist.", runId);
        if (!user.MayChange(run))
            throw new RunRequestException("Run {0} belongs to {1}; only they or an admin can cancel it.", runId, run.Owner);
        switch (run.Status)
        {
            case RunStatus.Queued:
                run.Status = RunStatus.Cancelled;
                run.FinishedAt = DateTime.UtcNow;
                run.Error = $"Cancelled by {user.Name} before it started.";
                await Record(db, $"Cancelling run {runId}");
                if (run.JobId is not null) TryDeleteJob(run.JobId); // the job finds the run cancelled anyway
                bus.Publish(new RunUpdate(run.Id, run.Status));
                break;
            case RunStatus.Running:
                run.CancelRequested = true;
                // Stop it even when the request cannot be recorded: its job records how it ended once it can.
                try { await Record(db, $"The cancel of run {runId}"); }
                finally { StopWorker(run); }
                break;
            default:
                throw new RunRequestException("Run {0} is {1}; only queued or running runs can be cancelled.", runId, run.Status.ToString().ToLowerInvariant());
        }
        await audit.RecordAsync(user.Name, run.Kind == RunKind.Serve ? "unloaded" : "cancelled", Audit.AuditLog.Subject(run));
        return run;
    }

    void StopWorker(Run run)
    {
        // A worker that already exited (its job still recording how it ended) is not signalled: its id may be reused.
        if (registry.TryGet(run.Id, out var process) && process.HasExited) return;
        int? pid = process?.Id ?? run.WorkerPid;
        if (pid is { } id) WorkerProcess.StopGracefully(id, run.Id, TimeSpan.FromSeconds(options.Value.CancelGraceSeconds));
    }

    /// <summary>Queues an interrupted or cancelled run again; its worker continues from its last checkpoint.</summary>
    public async Task<Run> ResumeAsync(int runId, StudioUser user)
    {
        user.RequireMayAct(new Sentence("resume runs"));
        await using var db = await dbFactory.CreateDbContextAsync();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId)
                  ?? throw new RunRequestException("Run {0} does not exist.", runId);
        if (!user.MayChange(run))
            throw new RunRequestException("Run {0} belongs to {1}; only they or an admin can resume it.", runId, run.Owner);
        if (run.Status is not (RunStatus.Interrupted or RunStatus.Cancelled or RunStatus.Failed))
            throw new RunRequestException("Run {0} is {1}; only interrupted, cancelled or failed runs can be resumed.", runId, run.Status.ToString().ToLowerInvariant());
        var before = (run.Status, run.FinishedAt, run.Error);
        run.Status = RunStatus.Queued;
        run.CancelRequested = false;
        run.FinishedAt = null;
        run.Error = null;
        await Record(db, $"Resuming run {runId}");
        try
        {
            run.JobId = Enqueue(run);
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (StorageFailure.Is(e))
        {
            (run.Status, run.FinishedAt, run.Error) = before; // not queued after all: resumable again
            try { await db.SaveChangesAsync(); }
            catch (Exception again) when (StorageFailure.Is(again)) { }
            throw new RunRequestException(StorageFailure.Explain($"Resuming run {runId}", e));
        }
        bus.Publish(new RunUpdate(run.Id, run.Status));
        await audit.RecordAsync(user.Name, "resumed", Audit.AuditLog.Subject(run));
        return run;
    }

    /// <summary>
    /// Deletes a finished run: its record and metrics, and its folder when that lies under saves/. Returns the sentence
    /// that says what was deleted (a folder elsewhere is left in place, and the sentence says so).
    /// </summary>
    public async Task<string> DeleteAsync(int runId, StudioUser user, RunFiles files)
    {
        user.RequireMayAct(new Sentence("delete runs"));
        await using var db = await dbFactory.CreateDbContextAsync();
        var run = await db.Runs.FirstOrDefaultAsync(r => r.Id == runId)
                  ?? throw new RunRequestException("Run {0} does not exist.", runId);
        if (!user.MayChange(run))
            throw new RunRequestException("Run {0} belongs to {1}; only they or an admin can delete it.", runId, run.Owner);
        if (run.Status is RunStatus.Queued or RunStatus.Running)
            throw new RunRequestException("Run {0} is {1}; cancel it before deleting it.", runId, run.Status.ToString().ToLowerInvariant());
        var folder = files.FolderOf(run);
        bool outside = !string.IsNullOrEmpty(run.OutputDir) && Directory.Exists(folder) && !paths.IsUnderSaves(folder);
        try { files.DeleteFolder(run); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunRequestException("Run {0}'s folder {1} could not be deleted ({2}); nothing was deleted.", runId, run.OutputDir, e.Message.TrimEnd('.'));
        }
        db.Runs.Remove(run);
        await Record(db, $"Deleting run {runId}");
        bus.Publish(new RunUpdate(run.Id, run.Status));
        await audit.RecordAsync(user.Name, "deleted", Audit.AuditLog.Subject(run));
        return outside
            ? $"Run {runId} deleted; its folder {folder} lies outside {paths.Saves} and was left in place."
            : $"Run {runId} deleted.";
    }

    /// <summary>Where a run stands in its queue now: 0 running, 1 next, …; null once it left the queue.</summary>
    public async Task<int?> PositionAsync(int runId) =>
        (await QueueAsync()).FirstOrDefault(e => e.Run.Id == runId)?.Position;

    /// <summary>
    /// The team's queue: per queue, the running run first, then queued runs in the order Hangfire will start them
    /// (the order their jobs were created: a resumed run's new job waits behind those queued before it), with an
    /// estimated start from the running run's remaining time as its worker measures it (the run page's figure) and
    /// the median duration of past runs of the same kind.
    /// </summary>
    public async Task<IReadOnlyList<QueueEntry>> QueueAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var active = await db.Runs.AsNoTracking()
            .Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running)
            .ToListAsync();
        var recent = await db.Runs.AsNoTracking()
            .Where(r => r.Status == RunStatus.Succeeded && r.StartedAt != null && r.FinishedAt != null)
            .OrderByDescending(r => r.Id).Take(100).ToListAsync();
        var runningIds = active.Where(r => r.Status == RunStatus.Running).Select(r => r.Id).ToList();
        // The last step that carries the worker's own clock, per running run: its pace survives a resume.
        var paced = await db.RunMetrics.AsNoTracking()
            .Where(m => runningIds.Contains(m.RunId) && m.ElapsedSeconds != null)
            .GroupBy(m => m.RunId)
            .Select(g => g.OrderByDescending(m => m.Step).First())
            .ToListAsync();
        var now = DateTime.UtcNow;
        var entries = new List<QueueEntry>();
        foreach (var group in active.GroupBy(r => QueueOf(r.Kind)))
        {
            int position = 0;
            DateTime? freeAt = now;
            foreach (var run in group.OrderBy(r => r.Status == RunStatus.Running ? 0 : 1).ThenBy(JobOrder).ThenBy(r => r.Id))
            {
                if (run.Status == RunStatus.Running)
                {
                    entries.Add(new QueueEntry(run, group.Key, 0, null));
                    var remaining = RunProgress.Of(run, paced.Where(m => m.RunId == run.Id).ToList(), now).Remaining;
                    freeAt = freeAt is { } f && remaining is { } left ? Max(f, now + left) : null;
                    continue;
                }
                entries.Add(new QueueEntry(run, group.Key, ++position, freeAt));
                freeAt = freeAt is { } start && TypicalDuration(recent, run.Kind) is { } typical ? start + typical : null;
            }
        }
        return entries;
    }

    /// <summary>Hangfire's SQLite storage hands out a queue's jobs in the order they were created (ids count up).</summary>
    static long JobOrder(Run run) => long.TryParse(run.JobId, out var id) ? id : long.MaxValue;

    static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    static TimeSpan? TypicalDuration(IReadOnlyList<Run> finished, RunKind kind)
    {
        var durations = finished.Where(r => r.Kind == kind).Select(r => r.FinishedAt!.Value - r.StartedAt!.Value).Order().ToList();
        return durations.Count == 0 ? null : durations[durations.Count / 2];
    }

    public async Task<QueueSummary> SummaryAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var counts = await db.Runs.AsNoTracking().GroupBy(r => r.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        int Count(RunStatus s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return new QueueSummary(Count(RunStatus.Queued), Count(RunStatus.Running), Count(RunStatus.Succeeded),
            Count(RunStatus.Failed), Count(RunStatus.Cancelled), Count(RunStatus.Interrupted));
    }
}

/// <summary>A run in the queue: position 0 is running now; EstimatedStart is null when nothing is known yet.</summary>
public sealed record QueueEntry(Run Run, string Queue, int Position, DateTime? EstimatedStart);

public sealed record QueueSummary(int Queued, int Running, int Succeeded, int Failed, int Cancelled, int Interrupted);

/// <summary>A request a user made that cannot be done; the message is the one sentence shown.</summary>
public sealed class RunRequestException(Sentence sentence) : Exception(sentence.ToString())
{
    public RunRequestException(string format, params object?[] args) : this(new Sentence(format, args)) { }

    /// <summary>The message as a sentence the page shows in its reader's language (the API answers in English).</summary>
    public Sentence Sentence { get; } = sentence;
}
