using System.Globalization;
using PgxStudio.Persistence;

namespace PgxStudio.Benchmarks;

/// <summary>How the benchmark page writes a stored result's figures: latencies in milliseconds, throughputs per second.</summary>
public static class BenchmarkFigures
{
    public static string Ms(double seconds) => (seconds * 1000).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond.ToString(perSecond >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture);

    /// <summary>The four latency figures of a result, each as mean/p50/p90/p99 in seconds (E2EL is evalscope's "Latency").</summary>
    public static IReadOnlyList<(string Name, double Mean, double P50, double P90, double P99)> Latencies(BenchmarkResult r) =>
    [
        ("TTFT", r.TtftMean, r.TtftP50, r.TtftP90, r.TtftP99),
        ("TPOT", r.TpotMean, r.TpotP50, r.TpotP90, r.TpotP99),
        ("ITL", r.ItlMean, r.ItlP50, r.ItlP90, r.ItlP99),
        ("E2EL (latency)", r.E2elMean, r.E2elP50, r.E2elP90, r.E2elP99),
    ];

    /// <summary>The rows of the side-by-side table: one line per figure, one column per result.</summary>
    public static readonly IReadOnlyList<(string Figure, Func<BenchmarkResult, string> Value)> CompareRows =
    [
        ("Model", r => r.Model),
        ("URL", r => r.Url),
        ("Parallel", r => r.Parallel.ToString(CultureInfo.InvariantCulture)),
        ("Requests (ok / failed)", r => $"{r.Succeeded} / {r.Failed} of {r.Number}"),
        ("Prompts", r => r.Prompts),
        ("Max tokens, stream", r => $"{r.MaxTokens}, {(r.Stream ? "yes" : "no")}"),
        ("Request throughput (req/s)", r => Rate(r.RequestThroughput)),
        ("Output throughput (tok/s)", r => Rate(r.OutputTokenThroughput)),
        ("Total throughput (tok/s)", r => Rate(r.TotalTokenThroughput)),
        ("TTFT mean / p50 / p99 (ms)", r => $"{Ms(r.TtftMean)} / {Ms(r.TtftP50)} / {Ms(r.TtftP99)}"),
        ("TPOT mean / p50 / p99 (ms)", r => $"{Ms(r.TpotMean)} / {Ms(r.TpotP50)} / {Ms(r.TpotP99)}"),
        ("ITL mean / p50 / p99 (ms)", r => $"{Ms(r.ItlMean)} / {Ms(r.ItlP50)} / {Ms(r.ItlP99)}"),
        ("E2EL mean / p50 / p99 (ms)", r => $"{Ms(r.E2elMean)} / {Ms(r.E2elP50)} / {Ms(r.E2elP99)}"),
        ("Tokens in / out (counted by)", r => $"{r.InputTokens} / {r.OutputTokens} ({r.TokenCounting})"),
        ("Partial", r => r.Partial ? $"yes: {r.PartialReason}" : "no"),
        ("Run by, when", r => $"{r.Owner}, {r.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}"),
    ];
}
