using System.Collections.Concurrent;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Jobs;
using PgxStudio.Monitoring;
using PgxStudio.Persistence;
using PgxStudio.Serving;

namespace PgxStudio.Admission;

/// <summary>
/// Holds a GPU-queue run back while its memory plan does not fit in the memory free now: on a GB10 a loaded chat
/// model takes from the same 128 GB a training run needs, and starting anyway ends in an out-of-memory kill an hour
/// later. The run stays queued (nothing fails, nothing is lost), the Queue page shows why and who holds the memory,
/// and it starts once a model is unloaded or memory frees otherwise. Free is MemAvailable (unified memory: the
/// serve workers' use is already taken out of it) or, on a discrete GPU, the device's free memory.
/// </summary>
public sealed class MemoryAdmission
{
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);

    readonly RunMemoryNeed _need;
    readonly LoadedChatModels _loaded;
    readonly WorkerRegistry _workers;
    readonly RunRecorder _runs;
    readonly Func<AvailableMemory?> _free;
    readonly MachineReader _proc = new("/proc");
    readonly ConcurrentDictionary<int, AdmissionDecision> _waiting = new();

    public MemoryAdmission(RunMemoryNeed need, LoadedChatModels loaded, WorkerRegistry workers, RunRecorder runs, TorchInfo torch)
        : this(need, loaded, workers, runs, () => AvailableMemory.Now(torch.Device)) { }

    /// <param name="free">The memory free now; tests give a machine whose free memory they decide.</param>
    public MemoryAdmission(RunMemoryNeed need, LoadedChatModels loaded, WorkerRegistry workers, RunRecorder runs, Func<AvailableMemory?> free)
    {
        (_need, _loaded, _workers, _runs, _free) = (need, loaded, workers, runs, free);
    }

    /// <summary>Raised when a run starts or stops waiting, or its reason changes.</summary>
    public event Action? Changed;

    /// <summary>The runs waiting for memory now, by run id, with the decision that holds each back.</summary>
    public IReadOnlyDictionary<int, AdmissionDecision> Waiting => _waiting;

    public AdmissionDecision Decide(Run run) => new(_need.Bytes(run), _free(), Holdings());

    /// <summary>
    /// Returns true once the run fits (at once when it does now), false when it stopped being queued while it waited
    /// (cancelled). Throws when <paramref name="stop"/> fires with the run still queued, so the queue keeps the job.
    /// </summary>
    public async Task<bool> WaitUntilFitsAsync(Run run, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                if (await _runs.FindAsync(run.Id, CancellationToken.None) is not { Status: RunStatus.Queued } current) return false;
                var decision = Decide(current);
                if (decision.Fits) return true;
                var before = _waiting.TryGetValue(run.Id, out var previous) ? previous.Reason().ToString() : null;
                _waiting[run.Id] = decision;
                if (before != decision.Reason().ToString()) Changed?.Invoke();
                try { await ModelsChangeOrRecheck(stop); }
                catch (OperationCanceledException)
                {
                    // A cancel deletes the run's job, which Hangfire may signal like a shutdown: only a still-queued run throws.
                    if (await _runs.FindAsync(run.Id, CancellationToken.None) is not { Status: RunStatus.Queued }) return false;
                    throw;
                }
            }
        }
        finally
        {
            if (_waiting.TryRemove(run.Id, out _)) Changed?.Invoke();
        }
    }

    /// <summary>Unloading a model frees memory at once; anything else (another program) is seen at the next recheck.</summary>
    async Task ModelsChangeOrRecheck(CancellationToken stop)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged() => changed.TrySetResult();
        _loaded.Changed += OnChanged;
        try { await Task.WhenAny(changed.Task, Task.Delay(RecheckInterval, stop)); }
        finally { _loaded.Changed -= OnChanged; }
        stop.ThrowIfCancellationRequested();
    }

    /// <summary>What the loaded chat models hold together: memory an unload gives back (unreadable ones count 0).</summary>
    public long HeldByChatModels() => Holdings().Sum(h => h.Bytes ?? 0);

    IReadOnlyList<ModelHolding> Holdings() => _loaded.Current
        .Select(m => new ModelHolding(m, _workers.TryGet(m.RunId, out var process) && Pid(process) is { } pid ? _proc.RssBytes(pid) : null))
        .ToList();

    static int? Pid(System.Diagnostics.Process process)
    {
        try { return process.Id; }
        catch (InvalidOperationException) { return null; }
    }
}
