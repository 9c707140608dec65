using PgxStudio.Engine.Training;
using Spectre.Console;

namespace PgxStudio.Cli;

/// <summary>`pgx train` in a terminal: a progress bar with the loss, learning rate and time left.</summary>
public static class TerminalProgress
{
    public static T Run<T>(Func<ITrainingObserver, T> train) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                return train(TrainingObservers.From(p =>
                {
                    if (p.TotalSteps > 0) task.MaxValue = p.TotalSteps;
                    switch (p.Kind)
                    {
                        case TrainingProgressKind.Step:
                            task.Value = p.Step;
                            task.Description = Markup.Escape($"step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000} lr {p.LearningRate:0.0e+0}");
                            break;
                        case TrainingProgressKind.Eval:
                            AnsiConsole.MarkupLine(Markup.Escape($"step {p.Step}: eval loss {p.EvalLoss:0.0000}"));
                            break;
                        case TrainingProgressKind.Checkpoint:
                            AnsiConsole.MarkupLine(Markup.Escape($"saved {p.Path}"));
                            break;
                        case TrainingProgressKind.Finished:
                            task.Value = task.MaxValue;
                            task.Description = Markup.Escape($"done, loss {p.Loss:0.0000}");
                            break;
                        case TrainingProgressKind.Error:
                            AnsiConsole.MarkupLine($"[red]{Markup.Escape(p.Message ?? "error")}[/]");
                            break;
                    }
                }));
            });
}
