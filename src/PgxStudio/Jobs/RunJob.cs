using System.Diagnostics;
using Hangfire;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Serving;

namespace PgxStudio.Jobs;

/// <summary>
/// The Hangfire job behind every run: start the run's worker, record what it reports, map its exit to the
/// run's outcome. Idempotent on the run id, because Hangfire delivers at least once.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class RunJob(
    RunRecorder recorder,
    WorkerRegistry registry,
    LoadedChatModels loadedModels,
    Admission.MemoryAdmission admission,
    StudioPaths paths,
    Microsoft.Extensions.Options.IOptions<StudioOptions> options,
    ILogger<RunJob> log)
{
    public const int LastLinesKept = 20;

    [Queue(Queues.Gpu)]
    public Task RunOnGpu(int runId, CancellationToken shutdown) => Execute(runId, shutdown);

    [Queue(Queues.Serve)]
    public Task RunServe(int runId, CancellationToken shutdown) => Execute(runId, shutdown);

    [Queue(Queues.Default)]
    public Task RunDefault(int runId, CancellationToken shutdown) => Execute(runId, shutdown);

    public async Task Execute(int runId, CancellationToken shutdown)
    {
        var run = await recorder.FindAsync(runId, shutdown);
        if (run is null)
        {
            log.LogWarning("Run {RunId} no longer exists; nothing to do.", runId);
            return;
        }
        switch (run.Status)
        {
            case RunStatus.Running when registry.TryGet(runId, out _):
                // A second delivery while the first still supervises: follow it instead of starting another.
                await registry.WhenFinished(runId);
                return;
            case RunStatus.Running when run.WorkerPid is { } pid && WorkerProcess.IsAlive(pid, runId):
                log.LogWarning("Run {RunId} has a live worker {Pid} this studio does not supervise; leaving it alone.", runId, pid);
                return;
            case RunStatus.Queued:
                // A GPU run waits here, still queued, while its memory plan does not fit beside the loaded chat models.
                if (RunQueue.Of(run.Kind) == Queues.Gpu && !await admission.WaitUntilFitsAsync(run, shutdown)) return;
                await Supervise(run, shutdown);
                return;
            case RunStatus.Running: // recorded as running but its worker is gone: start it again
                await Supervise(run, shutdown);
                return;
            default:
                return; // finished, cancelled or interrupted: a resume enqueues it again as Queued
        }
    }

    async Task Supervise(Run run, CancellationToken shutdown)
    {
        var outputDir = Path.Combine(paths.ContentRoot, run.OutputDir);
        using var process = new Process();
        try
        {
            Directory.CreateDirectory(outputDir);
            process.StartInfo = WorkerLaunch.For(run, paths.ContentRoot);
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await FinishWhenRecordable(run.Id, RunStatus.Failed, $"The worker could not start: {e.Message}", shutdown);
            return;
        }

        registry.Add(run.Id, process);
        string? lastError = null;
        string? recordingFailure = null;

        // A write the database refuses (a full disk) must not leave the run "Running" forever: stop the worker (its
        // progress can no longer be kept) and end the run as Failed with the reason once the database takes writes again.
        async Task Record(Func<Task> write)
        {
            if (recordingFailure is not null) return;
            try
            {
                await write();
            }
            catch (Exception e) when (StorageFailure.Is(e))
            {
                recordingFailure = $"The studio could not record this run's progress ({StorageFailure.Cause(e)}), so it stopped the run; once the disk takes writes again, resume it.";
                log.LogError(e, "Run {RunId}: recording failed; stopping its worker.", run.Id);
                WorkerProcess.StopGracefully(process.Id, run.Id, TimeSpan.FromSeconds(options.Value.CancelGraceSeconds));
            }
        }

        try
        {
            await Record(() => recorder.UpdateAsync(run.Id, r =>
            {
                r.Status = RunStatus.Running;
                r.StartedAt ??= DateTime.UtcNow;
                r.WorkerPid = process.Id;
                r.Error = null;
            }));

            await using var workerLog = new WorkerLog(Path.Combine(outputDir, Runs.RunFiles.LogFileName),
                line => recorder.PublishLog(run.Id, RunStatus.Running, line), LastLinesKept);
            var stderr = PumpStderr(process, workerLog);
            using var stopOnShutdown = shutdown.Register(() => PosixSignals.Send(process.Id, PosixSignals.SigTerm));

            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                var e = WorkerEvent.TryParse(line);
                if (e is null)
                {
                    await workerLog.WriteAsync(line);
                    continue;
                }
                if (e.Event == WorkerEvent.Names.Error) lastError = e.Message;
                if (e.Event == WorkerEvent.Names.Ready && run.Kind == RunKind.Serve && ServedModel(run, e) is { } served) loadedModels.Add(served);
                if (WorkerLog.LineOf(e) is { } message) await workerLog.WriteAsync(message);
                if (e.Event == WorkerEvent.Names.Log) continue; // a line and nothing else: the log has it, and the page got it
                // A start (fresh, resumed or over) sets the run's rows to what its folder holds: one per step.
                if (e.Event == WorkerEvent.Names.Started) await Record(() => recorder.ResumedAtAsync(run.Id, e.Step ?? 0, outputDir));
                await Record(() => recorder.RecordEventAsync(run.Id, e));
            }
            await stderr;
            await process.WaitForExitAsync(CancellationToken.None);
            // A stopped worker serves nothing: forget its model before the run reads as finished, so whoever sees
            // the finished run never still sees the model as loaded.
            loadedModels.Remove(run.Id);

            var (status, error) = recordingFailure is not null
                ? (RunStatus.Failed, recordingFailure)
                : Outcome(process.ExitCode, lastError, workerLog.LastLines, shutdown.IsCancellationRequested);
            await FinishWhenRecordable(run.Id, status, error, shutdown);
            log.LogInformation("Run {RunId} ended {Status} (exit {Code}).", run.Id, status, process.ExitCode);
        }
        finally
        {
            loadedModels.Remove(run.Id);
            registry.Remove(run.Id);
        }
    }

    /// <summary>
    /// Records how the run ended, trying again (1 s, 2 s, … 30 s apart) while the database refuses writes. If the studio
    /// stops first, its next start finds the run unfinished and marks it interrupted.
    /// </summary>
    async Task FinishWhenRecordable(int runId, RunStatus status, string? error, CancellationToken shutdown)
    {
        for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2)))
        {
            try
            {
                await recorder.UpdateAsync(runId, r => Finish(r, status, error));
                return;
            }
            catch (Exception e) when (StorageFailure.Is(e))
            {
                log.LogWarning("Run {RunId} ended {Status} but cannot be recorded yet ({Cause}); trying again in {Delay} s.",
                    runId, status, StorageFailure.Cause(e), delay.TotalSeconds);
                try { await Task.Delay(delay, shutdown); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>The model a serve worker announced as ready: its id and OpenAI base URL from the event's data.</summary>
    static LoadedChatModel? ServedModel(Run run, WorkerEvent ready)
    {
        if (ready.Data is not { ValueKind: System.Text.Json.JsonValueKind.Object } data) return null;
        string? Text(string name) => data.TryGetProperty(name, out var v) ? v.GetString() : null;
        return Text("base_url") is { } url && Text("model") is { } model
            ? new LoadedChatModel(run.Id, model, url, run.Owner, DateTime.UtcNow)
            : null;
    }

    /// <summary>Exit code (and what the worker said last) to the run's outcome.</summary>
    public static (RunStatus, string?) Outcome(int exitCode, string? lastError, LastLines lastLines, bool studioStopping)
    {
        if (studioStopping && exitCode != WorkerExitCodes.Succeeded)
            return (RunStatus.Interrupted, "The studio stopped while this run was in progress; resume it from its last checkpoint.");
        return exitCode switch
        {
            WorkerExitCodes.Succeeded => (RunStatus.Succeeded, null),
            WorkerExitCodes.Cancelled => (RunStatus.Cancelled, null),
            > 128 and < 160 => (RunStatus.Failed,
                $"The worker was killed by signal {exitCode - 128}{(exitCode - 128 == PosixSignals.SigKill ? " (SIGKILL: killed by hand or out of memory)" : "")}." +
                (lastError is null ? "" : $" Last error: {lastError}")),
            _ => (RunStatus.Failed, lastError ?? lastLines.LastOrDefault() ?? $"The worker exited with code {exitCode}."),
        };
    }

    static void Finish(Run run, RunStatus status, string? error)
    {
        run.Status = status;
        run.Error = error;
        run.FinishedAt = DateTime.UtcNow;
        run.WorkerPid = null;
    }

    static async Task PumpStderr(Process process, WorkerLog workerLog)
    {
        while (await process.StandardError.ReadLineAsync() is { } line) await workerLog.WriteAsync(line);
    }
}

/// <summary>The last few lines a worker printed, for the error message of a failed run.</summary>
public sealed class LastLines(int capacity) : IEnumerable<string>
{
    readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public IEnumerator<string> GetEnumerator()
    {
        lock (_lines) return _lines.ToList().GetEnumerator();
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

public static class Queues
{
    public const string Gpu = "gpu";
    public const string Serve = "serve";
    public const string Default = "default";
}
