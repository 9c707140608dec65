namespace PgxStudio.Engine.Training;

/// <summary>
/// Learning-rate schedules with Hugging Face get_scheduler's shapes, as pure functions of the optimizer step:
/// the multiplier at step s is what its LambdaLR gives after s scheduler steps (step 0 is the first update).
/// </summary>
public sealed class LearningRateSchedule
{
    public static readonly string[] Types = ["linear", "cosine", "constant", "constant_with_warmup"];

    public string Type { get; }
    public double PeakLearningRate { get; }
    public int WarmupSteps { get; }
    public int TotalSteps { get; }

    public LearningRateSchedule(string type, double peakLearningRate, int warmupSteps, int totalSteps)
    {
        if (!Types.Contains(type))
            throw new ArgumentException($"lr_scheduler_type '{type}' is not supported: use {string.Join(", ", Types)}.", nameof(type));
        Type = type;
        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    public static LearningRateSchedule For(TrainingArguments args, TrainingPlan plan) =>
        new(args.LrSchedulerType, args.LearningRate, plan.WarmupSteps, plan.TotalSteps);

    /// <summary>The learning rate used by the update at <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(int step) => PeakLearningRate * Multiplier(step);

    public double Multiplier(int step) => Type switch
    {
        "constant" => 1.0,
        "constant_with_warmup" => step < WarmupSteps ? (double)step / Math.Max(1, WarmupSteps) : 1.0,
        "linear" => step < WarmupSteps
            ? (double)step / Math.Max(1, WarmupSteps)
            : Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps)),
        "cosine" => step < WarmupSteps
            ? (double)step / Math.Max(1, WarmupSteps)
            : Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 0.5 * 2.0 * Progress(step)))),
        _ => throw new InvalidOperationException(Type),
    };

    double Progress(int step) => (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
}
