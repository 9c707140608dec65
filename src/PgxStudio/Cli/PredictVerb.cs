using System.CommandLine;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Evaluation;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Engine.Training;
using PgxStudio.Jobs;

namespace PgxStudio.Cli;

/// <summary>`pgx predict CONFIG.yaml [key=value …]`: batch prediction with BLEU-4 / ROUGE, LLaMA-Factory's files.</summary>
public static class PredictVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "LLaMA-Factory YAML with eval_dataset, predict_with_generate, max_new_tokens, …" };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value settings that replace the file's.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("predict", "Generate answers for a dataset and score them (generated_predictions.jsonl, predict_results.json).") { config, overrides };
        command.SetAction((parse, ct) =>
        {
            using var console = new WorkerConsole(Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1");
            try
            {
                var loaded = TrainingConfigLoader.Load(parse.GetValue(config)!.FullName, parse.GetValue(overrides) ?? [], ConfigPurpose.Predict);
                TorchRuntime.Initialize();
                FreedMemory.KeepForReuse(); // inference only: each batch's freed activations serve the next
                console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Started, Message = "predicting" });
                // Batch 0 is the model and data loaded: the run knows its batches before the first one is done.
                var results = Predictor.Run(loaded.Arguments, p => console.Emit(p.Batches == 0
                    ? new WorkerEvent { Event = WorkerEvent.Names.Started, Step = 0, TotalSteps = p.TotalBatches, Message = $"model loaded; {p.TotalBatches} batches to generate" }
                    : new WorkerEvent { Event = WorkerEvent.Names.Step, Step = p.Batches, TotalSteps = p.TotalBatches, Message = $"{p.Samples} samples" }),
                    console.StopRequested);
                console.Emit(new WorkerEvent
                {
                    Event = WorkerEvent.Names.Finished, Path = loaded.Arguments.OutputDir,
                    Message = string.Join(", ", results.Select(r => $"{r.Key} {r.Value}")),
                });
                return Task.FromResult(console.StopRequested.IsCancellationRequested ? WorkerExitCodes.Cancelled : WorkerExitCodes.Succeeded);
            }
            catch (Exception e) when (e is TrainingConfigException or DatasetException or ModelFileException or TokenizerFileException or ArgumentException)
            {
                console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = e.Message });
                return Task.FromResult(WorkerExitCodes.InvalidInput);
            }
        });
        return command;
    }
}
