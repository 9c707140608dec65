using System.Collections.Concurrent;
using System.Diagnostics;

namespace PgxStudio.Benchmarks;

/// <summary>What to benchmark: an OpenAI-compatible endpoint, a model name, and the request shape.</summary>
public sealed record ServeBenchmarkOptions
{
    public required string Url { get; init; }
    public required string Model { get; init; }
    public string? ApiKey { get; init; }
    public int Number { get; init; } = 20;
    public int MaxTokens { get; init; } = 128;
    public bool Stream { get; init; } = true;
    /// <summary>Describes the prompts in the result ("synthetic 128 tokens (counted with the Qwen3-8B tokenizer)", "dataset alpaca_en_demo").</summary>
    public required string PromptsLabel { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Runs <see cref="ServeBenchmarkOptions.Number"/> requests with at most P in flight and summarises them.
/// Cancelling stops new requests and abandons those in flight; the result is then marked partial.
/// </summary>
public static class ServeBenchmark
{
    /// <param name="finished">Called as each request finishes (progress for a page or a terminal).</param>
    public static async Task<ServeBenchmarkResult> RunAsync(ServeBenchmarkOptions options, IReadOnlyList<string> prompts, int parallel,
        CancellationToken cancellationToken, Action<RequestOutcome>? finished = null)
    {
        if (parallel < 1) throw new ArgumentException($"--parallel {parallel} must be at least 1.");
        if (options.Number < 1) throw new ArgumentException($"--number {options.Number} must be at least 1.");
        var url = ServeRequestSender.CompletionsUrl(options.Url);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = parallel, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = options.RequestTimeout,
        };
        var sender = new ServeRequestSender(http, url, options.Model, options.ApiKey, options.MaxTokens, options.Stream);
        var outcomes = new ConcurrentBag<RequestOutcome>();
        int next = -1;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            int i;
            while (!cancellationToken.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < options.Number)
            {
                try
                {
                    var outcome = await sender.SendAsync(prompts[i % prompts.Count], cancellationToken);
                    outcomes.Add(outcome);
                    finished?.Invoke(outcome);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // interrupted: this request neither succeeded nor failed
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(parallel, options.Number)).Select(_ => Task.Run(Worker)));
        double duration = clock.Elapsed.TotalSeconds;

        var all = outcomes.ToList();
        bool partial = all.Count < options.Number;
        return Summarise(options, url.ToString(), parallel, started, duration, all,
            partial ? $"interrupted after {all.Count} of {options.Number} requests finished" : null);
    }

    public static ServeBenchmarkResult Summarise(ServeBenchmarkOptions options, string url, int parallel, DateTimeOffset started,
        double duration, IReadOnlyList<RequestOutcome> outcomes, string? stoppedReason)
    {
        var ok = outcomes.Where(o => o.Succeeded).ToList();
        long input = ok.Sum(o => (long)o.InputTokens), output = ok.Sum(o => (long)o.OutputTokens);
        int byServer = ok.Count(o => o.CountedByServer);
        double Per(double amount) => duration > 0 ? amount / duration : 0;
        return new ServeBenchmarkResult
        {
            Url = url, Model = options.Model, Parallel = parallel, Number = options.Number, Stream = options.Stream,
            MaxTokens = options.MaxTokens, Prompts = options.PromptsLabel, StartedAt = started,
            Partial = stoppedReason is not null, StoppedReason = stoppedReason, DurationSeconds = duration,
            Succeeded = ok.Count, Failed = outcomes.Count - ok.Count,
            Errors = outcomes.Where(o => !o.Succeeded).GroupBy(o => o.Error!).ToDictionary(g => g.Key, g => g.Count()),
            TotalInputTokens = input, TotalOutputTokens = output, StreamedChunks = ok.Sum(o => (long)o.ContentChunks),
            TokenCounting = byServer == ok.Count ? "usage" : byServer == 0 ? "chars/4" : "usage+chars/4",
            RequestThroughput = Per(ok.Count), OutputTokenThroughput = Per(output), TotalTokenThroughput = Per(input + output),
            AverageInputTokens = ok.Count > 0 ? input / (double)ok.Count : 0,
            AverageOutputTokens = ok.Count > 0 ? output / (double)ok.Count : 0,
            E2el = Percentiles.Of(ok.Select(o => o.Latency)),
            Ttft = Percentiles.Of(ok.Select(o => o.Ttft)),
            Itl = Percentiles.Of(ok.SelectMany(o => o.InterTokenLatencies)),
            Tpot = Percentiles.Of(ok.Where(o => o.OutputTokens > 1).Select(o => (o.Latency - o.Ttft) / (o.OutputTokens - 1))),
        };
    }
}
