using System.Globalization;
using PgxStudio.Engine.Training;

namespace PgxStudio.Cli;

/// <summary>
/// What a training's progress reads like in its log (the run page's Log tab, worker.log): a line per logged step,
/// evaluation, checkpoint, start and finish, as a terminal shows them.
/// </summary>
public static class TrainingLogLine
{
    public static string? Of(TrainingProgress p) => p.Kind switch
    {
        TrainingProgressKind.Started => $"{p.Message ?? "started"}: {p.TotalSteps} steps, writing to {p.Path}",
        TrainingProgressKind.Step => Invariant($"step {p.Step}/{p.TotalSteps}: loss {p.Loss:0.0000}, lr {p.LearningRate:0.00e+00}, epoch {p.Epoch:0.00}") +
                                     (p.TokensPerSecond is { } t ? Invariant($", {t:0} tokens/s") : ""),
        TrainingProgressKind.Eval => Invariant($"step {p.Step}/{p.TotalSteps}: eval loss {p.EvalLoss:0.0000}"),
        TrainingProgressKind.Checkpoint => $"saved {Path.GetFileName(p.Path)} at step {p.Step}",
        TrainingProgressKind.Finished => Invariant($"{p.Message ?? "finished"} at step {p.Step}: train loss {p.Loss:0.0000}, {p.ElapsedSeconds:0.0} s"),
        _ => null, // errors are their own event
    };

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
