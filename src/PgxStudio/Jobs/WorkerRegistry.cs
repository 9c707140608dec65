using System.Collections.Concurrent;
using System.Diagnostics;

namespace PgxStudio.Jobs;

/// <summary>The workers this studio process supervises right now, by run id.</summary>
public sealed class WorkerRegistry
{
    readonly ConcurrentDictionary<int, Process> _workers = new();
    readonly ConcurrentDictionary<int, TaskCompletionSource> _finished = new();

    public void Add(int runId, Process process)
    {
        _workers[runId] = process;
        _finished.TryAdd(runId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    public void Remove(int runId)
    {
        _workers.TryRemove(runId, out _);
        if (_finished.TryRemove(runId, out var done)) done.TrySetResult();
    }

    public bool TryGet(int runId, out Process process) => _workers.TryGetValue(runId, out process!);

    /// <summary>Completes when the supervised worker of the run has been fully recorded.</summary>
    public Task WhenFinished(int runId) =>
        _finished.TryGetValue(runId, out var done) ? done.Task : Task.CompletedTask;

    public IReadOnlyCollection<int> RunIds => _workers.Keys.ToList();
}
