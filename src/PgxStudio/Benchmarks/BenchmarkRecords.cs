using System.Text.Json;
using System.Text.Json.Serialization;
using PgxStudio.Persistence;

namespace PgxStudio.Benchmarks;

/// <summary>Per-request samples the distribution charts draw, in seconds, for succeeded requests.</summary>
public sealed record BenchmarkSamples(
    [property: JsonPropertyName("ttft")] IReadOnlyList<double> Ttft,
    [property: JsonPropertyName("tpot")] IReadOnlyList<double> Tpot)
{
    public static readonly BenchmarkSamples Empty = new([], []);

    /// <summary>TPOT per request as the benchmark defines it: (E2EL − TTFT) / (output tokens − 1), when there are two or more tokens.</summary>
    public static BenchmarkSamples Of(IEnumerable<RequestOutcome> outcomes)
    {
        var ok = outcomes.Where(o => o.Succeeded).ToList();
        return new(ok.Select(o => o.Ttft).ToList(),
            ok.Where(o => o.OutputTokens > 1).Select(o => (o.Latency - o.Ttft) / (o.OutputTokens - 1)).ToList());
    }

    public static BenchmarkSamples Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Empty;
        try { return JsonSerializer.Deserialize<BenchmarkSamples>(json) ?? Empty; }
        catch (JsonException) { return Empty; }
    }
}

/// <summary>Turns one level's <see cref="ServeBenchmarkResult"/> into the row the studio keeps.</summary>
public static class BenchmarkRecords
{
    public static BenchmarkResult From(ServeBenchmarkResult r, BenchmarkSamples samples, string name, string sweepId, string owner, DateTime finishedAt) => new()
    {
        Name = name, SweepId = sweepId, Owner = owner, Url = r.Url, Model = r.Model, Parallel = r.Parallel, Number = r.Number,
        Prompts = r.Prompts, MaxTokens = r.MaxTokens, Stream = r.Stream,
        CreatedAt = r.StartedAt.UtcDateTime, FinishedAt = finishedAt,
        Partial = r.Partial, PartialReason = r.StoppedReason,
        Succeeded = r.Succeeded, Failed = r.Failed,
        FirstError = r.Errors.OrderByDescending(e => e.Value).Select(e => e.Key).FirstOrDefault(),
        DurationSeconds = r.DurationSeconds, InputTokens = r.TotalInputTokens, OutputTokens = r.TotalOutputTokens,
        TokenCounting = r.TokenCounting,
        RequestThroughput = r.RequestThroughput, OutputTokenThroughput = r.OutputTokenThroughput, TotalTokenThroughput = r.TotalTokenThroughput,
        TtftMean = r.Ttft.Mean, TtftP50 = r.Ttft.P50, TtftP90 = r.Ttft.P90, TtftP99 = r.Ttft.P99,
        TpotMean = r.Tpot.Mean, TpotP50 = r.Tpot.P50, TpotP90 = r.Tpot.P90, TpotP99 = r.Tpot.P99,
        ItlMean = r.Itl.Mean, ItlP50 = r.Itl.P50, ItlP90 = r.Itl.P90, ItlP99 = r.Itl.P99,
        E2elMean = r.E2el.Mean, E2elP50 = r.E2el.P50, E2elP90 = r.E2el.P90, E2elP99 = r.E2el.P99,
        ResultJson = JsonSerializer.Serialize(r, ServeBenchmarkReport.Json),
        SamplesJson = JsonSerializer.Serialize(samples),
    };

    /// <summary>The stored result JSON back as the benchmark's own record (null when it cannot be read).</summary>
    public static ServeBenchmarkResult? Result(BenchmarkResult row)
    {
        try { return JsonSerializer.Deserialize<ServeBenchmarkResult>(row.ResultJson); }
        catch (JsonException) { return null; }
    }
}
