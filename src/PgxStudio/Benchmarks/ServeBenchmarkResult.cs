using System.Text.Json.Serialization;

namespace PgxStudio.Benchmarks;

/// <summary>Mean and percentiles of one per-request (or per-token) quantity, in seconds unless named otherwise.</summary>
public sealed record LatencyStats(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p90")] double P90,
    [property: JsonPropertyName("p99")] double P99,
    [property: JsonPropertyName("count")] int Count)
{
    public static readonly LatencyStats Empty = new(0, 0, 0, 0, 0);
}

/// <summary>
/// One `pgx bench serve` run at one concurrency, with evalscope perf's figures:
/// request throughput = succeeded requests / wall time; output (total) token throughput = output (input + output)
/// tokens of succeeded requests / wall time; TTFT = send → first content chunk (= E2EL when not streaming);
/// ITL = gaps between content chunks, pooled over requests; TPOT = (E2EL − TTFT) / (output tokens − 1) per request;
/// E2EL = send → last byte. Token counts come from the server's usage when it sends one, else chars/4
/// (<see cref="TokenCounting"/> says which).
/// </summary>
public sealed record ServeBenchmarkResult
{
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("parallel")] public int Parallel { get; init; }
    [JsonPropertyName("number")] public int Number { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("max_tokens")] public int MaxTokens { get; init; }
    /// <summary>"synthetic L tokens (counted with …)", "synthetic ~L tokens (chars/4 estimate, …)" or "dataset NAME".</summary>
    [JsonPropertyName("prompts")] public required string Prompts { get; init; }
    [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; init; }
    /// <summary>True when the run was interrupted: figures cover only the requests that finished.</summary>
    [JsonPropertyName("partial")] public bool Partial { get; init; }
    [JsonPropertyName("stopped_reason")] public string? StoppedReason { get; init; }
    [JsonPropertyName("duration_s")] public double DurationSeconds { get; init; }
    [JsonPropertyName("succeeded")] public int Succeeded { get; init; }
    [JsonPropertyName("failed")] public int Failed { get; init; }
    /// <summary>Distinct failure messages with how often each happened.</summary>
    [JsonPropertyName("errors")] public IReadOnlyDictionary<string, int> Errors { get; init; } = new Dictionary<string, int>();
    [JsonPropertyName("total_input_tokens")] public long TotalInputTokens { get; init; }
    [JsonPropertyName("total_output_tokens")] public long TotalOutputTokens { get; init; }
    /// <summary>Content chunks received over all streamed requests (compare with output tokens).</summary>
    [JsonPropertyName("streamed_chunks")] public long StreamedChunks { get; init; }
    /// <summary>"usage" (server counts), "chars/4" (estimated) or "usage+chars/4" (some of each).</summary>
    [JsonPropertyName("token_counting")] public required string TokenCounting { get; init; }
    [JsonPropertyName("request_throughput")] public double RequestThroughput { get; init; }
    [JsonPropertyName("output_token_throughput")] public double OutputTokenThroughput { get; init; }
    [JsonPropertyName("total_token_throughput")] public double TotalTokenThroughput { get; init; }
    [JsonPropertyName("avg_input_tokens")] public double AverageInputTokens { get; init; }
    [JsonPropertyName("avg_output_tokens")] public double AverageOutputTokens { get; init; }
    /// <summary>End-to-end latency per request (evalscope's "Latency").</summary>
    [JsonPropertyName("e2el_s")] public required LatencyStats E2el { get; init; }
    [JsonPropertyName("ttft_s")] public required LatencyStats Ttft { get; init; }
    [JsonPropertyName("itl_s")] public required LatencyStats Itl { get; init; }
    [JsonPropertyName("tpot_s")] public required LatencyStats Tpot { get; init; }
}
