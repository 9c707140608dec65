using System.Collections.Concurrent;
using PgxStudio.Hosting;
using PgxStudio.Runs;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Benchmarks;

/// <summary>
/// Runs the studio's serving benchmark in the background, one at a time: a page starts it and follows
/// <see cref="Changed"/>, but leaving the page does not stop it. Each concurrency level is saved as it finishes;
/// a stopped, failed or interrupted level is saved labelled partial with the reason.
/// </summary>
public sealed class BenchmarkRunner(BenchmarkHistory history, StudioPaths paths, ILogger<BenchmarkRunner> log) : IAsyncDisposable
{
    readonly object _gate = new();
    CancellationTokenSource? _stop;
    string _stopReason = "stopped";
    BenchmarkProgress? _progress;

    /// <summary>The running benchmark, or the last one this studio ran (null before the first).</summary>
    public BenchmarkProgress? Progress
    {
        get { lock (_gate) return _progress; }
    }

    public bool IsRunning => Progress?.Running == true;

    /// <summary>The background task of the latest start; tests await it.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Raised on every change (each finished request), on the benchmark's own threads.</summary>
    public event Action? Changed;

    /// <summary>Checks the request and starts it; a bad field or a benchmark already running is a <see cref="RunRequestException"/>.</summary>
    public BenchmarkProgress Start(BenchmarkRequest request, StudioUser user)
    {
        user.RequireMayAct(new Sentence("run benchmarks"));
        if (!user.HasName) throw new RunRequestException("Enter your name first: every benchmark result records who ran it.");
        var prepared = request.Prepare(paths.Data);
        BenchmarkProgress progress;
        lock (_gate)
        {
            if (_progress is { Running: true } running)
                throw new RunRequestException("A benchmark is already running ({0}, started by {1}); wait for it or stop it first.", running.Label, running.Owner);
            progress = new BenchmarkProgress
            {
                Label = prepared.Label, Owner = user.Name, SweepId = Guid.NewGuid().ToString("N"),
                Url = prepared.Options.Url, Model = prepared.Options.Model, Levels = prepared.Levels,
                StartedAt = DateTime.UtcNow, Running = true, Total = prepared.Options.Number,
            };
            _progress = progress;
            _stop = new CancellationTokenSource();
            _stopReason = "stopped";
            var token = _stop.Token;
            Completion = Task.Run(() => RunAsync(prepared, progress, token));
        }
        Notify();
        return progress;
    }

    /// <summary>Stops the running benchmark; what finished is saved labelled partial.</summary>
    public void Stop(StudioUser user)
    {
        user.RequireMayAct(new Sentence("stop benchmarks"));
        lock (_gate)
        {
            if (_progress is not { Running: true } running || _stop is null)
                throw new RunRequestException("No benchmark is running.");
            if (!user.IsAdmin && !string.Equals(running.Owner, user.Name, StringComparison.Ordinal))
                throw new RunRequestException("The running benchmark belongs to {0}; only they or an admin can stop it.", running.Owner);
            _stopReason = $"stopped by {user.Name}";
            _stop.Cancel();
        }
    }

    async Task RunAsync(PreparedBenchmark prepared, BenchmarkProgress start, CancellationToken token)
    {
        var saved = new List<int>();
        string? problem = null;
        try
        {
            for (int index = 0; index < prepared.Levels.Count && problem is null; index++)
            {
                if (token.IsCancellationRequested)
                {
                    problem = $"Benchmark {_stopReason} after {index} of {prepared.Levels.Count} parallel levels; the finished levels are saved.";
                    break;
                }
                int parallel = prepared.Levels[index], done = 0, failed = 0;
                Update(p => p with { LevelIndex = index, Done = 0, Failed = 0 });
                var outcomes = new ConcurrentQueue<RequestOutcome>();
                var result = await ServeBenchmark.RunAsync(prepared.Options, prepared.Prompts, parallel, token, outcome =>
                {
                    outcomes.Enqueue(outcome);
                    int d = Interlocked.Increment(ref done), f = outcome.Succeeded ? Volatile.Read(ref failed) : Interlocked.Increment(ref failed);
                    Update(p => p with { Done = Math.Max(p.Done, d), Failed = Math.Max(p.Failed, f) });
                });

                if (result.Partial)
                {
                    problem = $"Benchmark {_stopReason} at parallel {parallel}: {result.StoppedReason}.";
                    if (outcomes.IsEmpty) break; // nothing finished at this level: nothing to keep
                    result = result with { StoppedReason = $"{_stopReason}: {result.StoppedReason}" };
                }
                else if (result.Succeeded == 0)
                {
                    var error = result.Errors.OrderByDescending(e => e.Value).First().Key;
                    problem = $"Every request at parallel {parallel} failed: {error}";
                    result = result with { Partial = true, StoppedReason = $"every request failed: {error}" };
                }
                var row = await history.SaveAsync(BenchmarkRecords.From(result, BenchmarkSamples.Of(outcomes), prepared.Label, start.SweepId, start.Owner, DateTime.UtcNow));
                saved.Add(row.Id);
                Update(p => p with { SavedIds = [.. saved] });
            }
        }
        catch (Exception e)
        {
            // A bug or a database problem must not take the studio down: say it on the page and in the log.
            log.LogError(e, "The serving benchmark {Label} failed", prepared.Label);
            problem = $"The benchmark stopped on an error: {e.Message}";
        }
        Update(p => p with { Running = false, Problem = problem, SavedIds = [.. saved] });
    }

    void Update(Func<BenchmarkProgress, BenchmarkProgress> change)
    {
        lock (_gate)
        {
            if (_progress is null) return;
            _progress = change(_progress);
        }
        Notify();
    }

    void Notify()
    {
        try { Changed?.Invoke(); }
        catch (Exception e) { log.LogWarning(e, "A benchmark progress listener failed"); }
    }

    /// <summary>The studio is stopping: stop the benchmark and let it save what finished.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_progress is { Running: true } && _stop is not null)
            {
                _stopReason = "interrupted because the studio stopped";
                _stop.Cancel();
            }
        }
        try { await Completion.WaitAsync(TimeSpan.FromSeconds(15)); }
        catch (TimeoutException) { }
    }
}
