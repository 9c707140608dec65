namespace PgxStudio.Persistence;

/// <summary>
/// One concurrency level of a serving benchmark, as the benchmark page ran it: evalscope perf's figures (times in
/// seconds), the whole result JSON, and the per-request samples the distribution charts draw. A sweep (1,2,4,8) is
/// several rows with the same <see cref="SweepId"/>.
/// </summary>
public sealed class BenchmarkResult
{
    public int Id { get; set; }
    /// <summary>The user's label ("vLLM AWQ", "pgx demo"): what the compare table calls this result.</summary>
    public string Name { get; set; } = "";
    /// <summary>Rows of one start share it, so a sweep can be drawn as throughput against parallel.</summary>
    public string SweepId { get; set; } = "";
    public string Owner { get; set; } = "";
    public string Url { get; set; } = "";
    public string Model { get; set; } = "";
    public int Parallel { get; set; }
    public int Number { get; set; }
    /// <summary>"synthetic ~128 tokens (chars/4)" or "dataset alpaca_en_demo".</summary>
    public string Prompts { get; set; } = "";
    public int MaxTokens { get; set; }
    public bool Stream { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime FinishedAt { get; set; }

    /// <summary>True when stopped, interrupted or failed: the figures cover only what finished.</summary>
    public bool Partial { get; set; }
    public string? PartialReason { get; set; }

    public int Succeeded { get; set; }
    public int Failed { get; set; }
    /// <summary>The most frequent failure message, for the list; all of them are in <see cref="ResultJson"/>.</summary>
    public string? FirstError { get; set; }
    public double DurationSeconds { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public string TokenCounting { get; set; } = "";

    public double RequestThroughput { get; set; }
    public double OutputTokenThroughput { get; set; }
    public double TotalTokenThroughput { get; set; }

    public double TtftMean { get; set; }
    public double TtftP50 { get; set; }
    public double TtftP90 { get; set; }
    public double TtftP99 { get; set; }
    public double TpotMean { get; set; }
    public double TpotP50 { get; set; }
    public double TpotP90 { get; set; }
    public double TpotP99 { get; set; }
    public double ItlMean { get; set; }
    public double ItlP50 { get; set; }
    public double ItlP90 { get; set; }
    public double ItlP99 { get; set; }
    /// <summary>End-to-end latency per request: evalscope's "Latency".</summary>
    public double E2elMean { get; set; }
    public double E2elP50 { get; set; }
    public double E2elP90 { get; set; }
    public double E2elP99 { get; set; }

    /// <summary>The ServeBenchmarkResult exactly as `pgx bench serve --json` prints it.</summary>
    public string ResultJson { get; set; } = "";
    /// <summary>Per-request samples in seconds: {"ttft":[…],"tpot":[…]} (succeeded requests only).</summary>
    public string SamplesJson { get; set; } = "";
}
