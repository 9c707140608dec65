using System.CommandLine;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Engine.Training;
using PgxStudio.Jobs;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx train CONFIG.yaml [key=value …]`: a LLaMA-Factory training config run as it is, printing JSON-line worker
/// events (the studio's live curves) and stopping with a checkpoint on SIGTERM.
/// </summary>
public static class TrainVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "LLaMA-Factory YAML (model_name_or_path, stage, finetuning_type, dataset, …)." };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value settings that replace the file's.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("train", "Fine-tune a model from a LLaMA-Factory config.") { config, overrides };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(config)!, parse.GetValue(overrides) ?? [])));
        return command;
    }

    static int Run(FileInfo file, string[] overrides)
    {
        using var console = new WorkerConsole(Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1");
        void Error(string message) => console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = message });
        if (!file.Exists)
        {
            Error($"{file.FullName} does not exist.");
            return WorkerExitCodes.InvalidInput;
        }
        try
        {
            var loaded = TrainingConfigLoader.Load(file.FullName, overrides);
            foreach (var warning in loaded.Warnings) console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = $"warning: {warning}" });
            TorchRuntime.Initialize();
            bool interactive = Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) != "1" && !Console.IsOutputRedirected;
            var outcome = interactive
                ? TerminalProgress.Run(observer => new Trainer(loaded.Arguments, observer).Run(console.StopRequested))
                : new Trainer(loaded.Arguments, TrainingObservers.From(p =>
                {
                    // The same progress as lines for the run's log, which the events alone leave empty. The line goes
                    // first: a worker killed between the two still has a log line for every step the run page shows.
                    if (TrainingLogLine.Of(p) is { } line) console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = line });
                    console.Emit(ToEvent(p));
                })).Run(console.StopRequested);
            return outcome == Trainer.Outcome.Stopped ? WorkerExitCodes.Cancelled : WorkerExitCodes.Succeeded;
        }
        catch (Exception e) when (e is TrainingConfigException or DatasetException or ModelFileException or TokenizerFileException or TorchSetupException or ArgumentException or IOException)
        {
            Error(e.Message);
            return e is IOException ? WorkerExitCodes.Failed : WorkerExitCodes.InvalidInput;
        }
    }

    static WorkerEvent ToEvent(TrainingProgress p) => new()
    {
        Event = p.Kind switch
        {
            TrainingProgressKind.Started => WorkerEvent.Names.Started,
            TrainingProgressKind.Step => WorkerEvent.Names.Step,
            TrainingProgressKind.Eval => WorkerEvent.Names.Eval,
            TrainingProgressKind.Checkpoint => WorkerEvent.Names.Checkpoint,
            TrainingProgressKind.Finished => WorkerEvent.Names.Finished,
            _ => WorkerEvent.Names.Error,
        },
        Step = p.Step, TotalSteps = p.TotalSteps, Epoch = p.Epoch, Loss = p.Loss, EvalLoss = p.EvalLoss, LearningRate = p.LearningRate,
        TokensPerSecond = p.TokensPerSecond, ElapsedSeconds = p.ElapsedSeconds, RemainingSeconds = p.RemainingSeconds, Path = p.Path, Message = p.Message,
    };
}
