using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PgxStudio.Hosting;
using PgxStudio.Jobs;

namespace PgxStudio.Monitoring;

/// <summary>
/// Samples the machine once a second and keeps the last ten minutes: what the System page charts and the top bar's
/// gauge show. One per studio; pages subscribe to <see cref="Sampled"/> after their first render and leave on dispose.
/// </summary>
public sealed class MachineMonitor(WorkerRegistry workers, RunRecorder runs, IOptions<StudioOptions> options, ILogger<MachineMonitor> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public const int SamplesKept = 600; // ten minutes at one a second

    readonly SampleRing<MachineSample> _samples = new(SamplesKept);
    readonly MachineReader _reader = new("/proc");
    readonly NvidiaSmi _nvidiaSmi = new(options.Value.NvidiaSmiPath);
    // A run's name and owner never change while its worker runs: asked of the database once per run.
    readonly ConcurrentDictionary<int, (string Name, string Owner, string Kind)> _labels = new();
    readonly SemaphoreSlim _sampling = new(1, 1);
    readonly DateTime _started = DateTime.UtcNow;

    /// <summary>Raised after every sample, on the monitor's thread.</summary>
    public event Action<MachineSample>? Sampled;

    /// <summary>The last ten minutes, oldest first.</summary>
    public IReadOnlyList<MachineSample> History => _samples.Snapshot();

    public MachineSample? Latest => _samples.Latest;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try { await SampleOnceAsync(stopping); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "The machine monitor could not take a sample; it tries again in a second.");
            }
        } while (await timer.WaitForNextTickAsync(stopping));
    }

    /// <summary>Takes one sample now, keeps it and tells the subscribers (the timer's work; tests call it directly).</summary>
    public async Task<MachineSample> SampleOnceAsync(CancellationToken cancel = default)
    {
        await _sampling.WaitAsync(cancel);
        try
        {
            var cpu = _reader.CpuPercent();
            var memory = _reader.Memory();
            var gpus = await _nvidiaSmi.QueryAsync(cancel);
            var sample = new MachineSample((int)(DateTime.UtcNow - _started).TotalSeconds, DateTime.UtcNow, cpu, memory,
                await WorkerMemoryAsync(cancel), gpus.Gpus, gpus.Problem);
            _samples.Add(sample);
            Sampled?.Invoke(sample);
            return sample;
        }
        finally
        {
            _sampling.Release();
        }
    }

    async Task<IReadOnlyList<WorkerMemory>> WorkerMemoryAsync(CancellationToken cancel)
    {
        var list = new List<WorkerMemory>();
        foreach (var runId in workers.RunIds.Order())
        {
            if (!workers.TryGet(runId, out var process)) continue;
            int pid;
            try { pid = process.Id; }
            catch (InvalidOperationException) { continue; } // not started yet, or already gone
            if (_reader.RssBytes(pid) is not { } rss) continue;
            if (!_labels.TryGetValue(runId, out var label))
            {
                var run = await runs.FindAsync(runId, cancel);
                label = run is null ? ($"run {runId}", "", "") : (run.Name, run.Owner, run.Kind.ToString());
                _labels[runId] = label;
            }
            list.Add(new WorkerMemory(runId, label.Name, label.Owner, label.Kind, rss));
        }
        foreach (var gone in _labels.Keys.Except(workers.RunIds)) _labels.TryRemove(gone, out _);
        return list;
    }
}
