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
    StudioPaths paths,
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
        Directory.CreateDirectory(outputDir);
        var start = WorkerLaunch.For(run, paths.ContentRoot);
        using var process = new Process { StartInfo = start };
        var lastLines = new LastLines(LastLinesKept);
        string? lastError = null;

        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            await recorder.UpdateAsync(run.Id, r => Finish(r, RunStatus.Failed, $"The worker could not start: {e.Message}"));
            return;
        }

        registry.Add(run.Id, process);
        try
        {
            await recorder.UpdateAsync(run.Id, r =>
            {
                r.Status = RunStatus.Running;
                r.StartedAt ??= DateTime.UtcNow;
                r.WorkerPid = process.Id;
                r.Error = null;
            });

            await using var logFile = new StreamWriter(Path.Combine(outputDir, "worker.log"), append: true) { AutoFlush = true };
            var stderr = PumpStderr(process, run.Id, logFile, lastLines);
            using var stopOnShutdown = shutdown.Register(() => PosixSignals.Send(process.Id, PosixSignals.SigTerm));

            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                var e = WorkerEvent.TryParse(line);
                if (e is null)
                {
                    await WriteLog(logFile, line);
                    lastLines.Add(line);
                    recorder.PublishLog(run.Id, RunStatus.Running, line);
                    continue;
                }
                if (e.Event == WorkerEvent.Names.Error) lastError = e.Message;
                if (e.Event == WorkerEvent.Names.Ready && run.Kind == RunKind.Serve && ServedModel(run, e) is { } served) loadedModels.Add(served);
                if (e.Event is WorkerEvent.Names.Log or WorkerEvent.Names.Error && e.Message is { } message)
                {
                    await WriteLog(logFile, message);
                    lastLines.Add(message);
                }
                await recorder.RecordEventAsync(run.Id, e);
            }
            await stderr;
            await process.WaitForExitAsync(CancellationToken.None);
            // A stopped worker serves nothing: forget its model before the run reads as finished, so whoever sees
            // the finished run never still sees the model as loaded.
            loadedModels.Remove(run.Id);

            var (status, error) = Outcome(process.ExitCode, lastError, lastLines, shutdown.IsCancellationRequested);
            await recorder.UpdateAsync(run.Id, r => Finish(r, status, error));
            log.LogInformation("Run {RunId} ended {Status} (exit {Code}).", run.Id, status, process.ExitCode);
        }
        finally
        {
            loadedModels.Remove(run.Id);
            registry.Remove(run.Id);
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

    static async Task PumpStderr(Process process, int runId, StreamWriter logFile, LastLines lastLines)
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            await WriteLog(logFile, line);
            lastLines.Add(line);
        }
    }

    static readonly SemaphoreSlim LogGate = new(1, 1);

    static async Task WriteLog(StreamWriter file, string line)
    {
        await LogGate.WaitAsync();
        try { await file.WriteLineAsync(line); }
        finally { LogGate.Release(); }
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
