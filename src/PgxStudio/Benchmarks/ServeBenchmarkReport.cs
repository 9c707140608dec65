using System.Text.Json;

namespace PgxStudio.Benchmarks;

/// <summary>The human-readable summary of a serve benchmark, and the JSON settings `--json` uses.</summary>
public static class ServeBenchmarkReport
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Print(ServeBenchmarkResult r, TextWriter output)
    {
        output.WriteLine($"== {r.Model} at {r.Url}, parallel {r.Parallel}, {(r.Stream ? "streaming" : "not streaming")}, prompts: {r.Prompts}" + (r.Partial ? $"  [PARTIAL: {r.StoppedReason}]" : ""));
        output.WriteLine($"  requests: {r.Succeeded} succeeded, {r.Failed} failed of {r.Number} in {r.DurationSeconds:0.000} s");
        foreach (var (message, count) in r.Errors) output.WriteLine($"  failed x{count}: {message}");
        output.WriteLine($"  tokens ({r.TokenCounting}): {r.TotalInputTokens} in, {r.TotalOutputTokens} out; avg {r.AverageInputTokens:0.0} in, {r.AverageOutputTokens:0.0} out per request");
        output.WriteLine($"  throughput: {r.RequestThroughput:0.000} req/s, {r.OutputTokenThroughput:0.0} output tok/s, {r.TotalTokenThroughput:0.0} total tok/s");
        output.WriteLine("  (ms)        mean      p50      p90      p99");
        Row(output, "E2EL", r.E2el);
        Row(output, "TTFT", r.Ttft);
        Row(output, "ITL", r.Itl);
        Row(output, "TPOT", r.Tpot);
    }

    static void Row(TextWriter output, string name, LatencyStats s) =>
        output.WriteLine($"  {name,-6} {s.Mean * 1000,9:0.0} {s.P50 * 1000,8:0.0} {s.P90 * 1000,8:0.0} {s.P99 * 1000,8:0.0}");
}
