namespace PgxStudio.Engine.Training;

/// <summary>What a training event is about; the `train` verb maps each to a worker event of the same name.</summary>
public enum TrainingProgressKind { Started, Step, Eval, Checkpoint, Finished, Error }

/// <summary>
/// One thing that happened in a run, in plain values, so the engine reports progress without knowing about the
/// studio's worker protocol (the verb maps it to PgxStudio.Jobs.WorkerEvent).
/// </summary>
public sealed record TrainingProgress
{
    public required TrainingProgressKind Kind { get; init; }
    public int Step { get; init; }
    public int TotalSteps { get; init; }
    public double? Epoch { get; init; }
    public double? Loss { get; init; }
    public double? EvalLoss { get; init; }
    public double? LearningRate { get; init; }
    public double? TokensPerSecond { get; init; }
    public long? TotalTokens { get; init; }
    public double? ElapsedSeconds { get; init; }
    public double? RemainingSeconds { get; init; }
    /// <summary>A checkpoint folder or the run's output folder.</summary>
    public string? Path { get; init; }
    public string? Message { get; init; }

    /// <summary>The step event matching a trainer_log.jsonl line, so the log and the live events agree.</summary>
    public static TrainingProgress FromLog(TrainerLogEntry e) => new()
    {
        Kind = e.Loss is null && e.EvalLoss is not null ? TrainingProgressKind.Eval : TrainingProgressKind.Step,
        Step = e.CurrentSteps, TotalSteps = e.TotalSteps, Epoch = e.Epoch, Loss = e.Loss, EvalLoss = e.EvalLoss,
        LearningRate = e.LearningRate, TokensPerSecond = e.Throughput, TotalTokens = e.TotalTokens,
        ElapsedSeconds = e.ElapsedSeconds, RemainingSeconds = e.RemainingSeconds,
    };
}

/// <summary>Receives a run's progress (the worker verb prints it; tests collect it).</summary>
public interface ITrainingObserver
{
    void OnProgress(TrainingProgress progress);
}

/// <summary>Observers made from a delegate, or fanned out to several.</summary>
public static class TrainingObservers
{
    public static ITrainingObserver None { get; } = new Delegating(_ => { });

    public static ITrainingObserver From(Action<TrainingProgress> onProgress) => new Delegating(onProgress);

    public static ITrainingObserver All(params ITrainingObserver[] observers) =>
        new Delegating(p => { foreach (var o in observers) o.OnProgress(p); });

    sealed class Delegating(Action<TrainingProgress> onProgress) : ITrainingObserver
    {
        public void OnProgress(TrainingProgress progress) => onProgress(progress);
    }
}
