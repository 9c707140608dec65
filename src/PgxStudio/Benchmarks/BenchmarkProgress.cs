namespace PgxStudio.Benchmarks;

/// <summary>
/// Where the studio's benchmark stands, for the page to show: the running level and its requests, or how the last
/// one ended. Immutable: the runner swaps in a new one on every change.
/// </summary>
public sealed record BenchmarkProgress
{
    public required string Label { get; init; }
    public required string Owner { get; init; }
    public required string SweepId { get; init; }
    public required string Url { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<int> Levels { get; init; }
    public DateTime StartedAt { get; init; }
    public bool Running { get; init; }
    /// <summary>Index into <see cref="Levels"/> of the level running (or the last one run).</summary>
    public int LevelIndex { get; init; }
    public int Done { get; init; }
    public int Failed { get; init; }
    public int Total { get; init; }
    /// <summary>Rows saved so far, one per finished (or stopped) level.</summary>
    public IReadOnlyList<int> SavedIds { get; init; } = [];
    /// <summary>How it ended when it did not simply finish: one sentence (stopped, every request failed, …).</summary>
    public string? Problem { get; init; }

    public int Parallel => Levels[Math.Min(LevelIndex, Levels.Count - 1)];
    public double Percentage => Total > 0 ? 100.0 * Done / Total : 0;
}
