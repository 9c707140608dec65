namespace PgxStudio.Benchmarks;

/// <summary>What happened to one benchmark request; times in seconds from the moment it was sent.</summary>
public sealed record RequestOutcome
{
    public bool Succeeded => Error is null;
    public string? Error { get; init; }
    public double Latency { get; init; }
    /// <summary>First content chunk; equals <see cref="Latency"/> for a non-streamed reply.</summary>
    public double Ttft { get; init; }
    /// <summary>Gaps between successive content chunks.</summary>
    public IReadOnlyList<double> InterTokenLatencies { get; init; } = [];
    public int ContentChunks { get; init; }
    public int InputTokens { get; init; }
    public int OutputTokens { get; init; }
    /// <summary>True when both counts came from the server's usage; false when estimated as chars/4.</summary>
    public bool CountedByServer { get; init; }
}
