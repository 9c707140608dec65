namespace PgxStudio.Persistence;

/// <summary>A point on a run's curves, as the worker reported it.</summary>
public sealed class RunMetric
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    public double? Epoch { get; set; }
    public double? Loss { get; set; }
    public double? EvalLoss { get; set; }
    public double? LearningRate { get; set; }
    public double? TokensPerSecond { get; set; }
    public double? ElapsedSeconds { get; set; }
}
