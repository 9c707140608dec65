using System.CommandLine;
using PgxStudio.Engine.Export;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Jobs;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx export CONFIG.yaml [key=value …]`: merge LoRA adapters into the base and write it for the serving path — a
/// Hugging Face folder, GGUF for llama.cpp/Ollama, ModelOpt NVFP4/FP8 for vLLM and TensorRT-LLM. Under the studio it
/// prints JSON-line progress events; in a terminal, a line per stage and the commands that serve each output.
/// </summary>
public static class ExportVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "YAML with model_name_or_path, adapter_name_or_path, export_dir, export_format, export_quantization, …" };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value settings that replace the file's.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("export", "Merge adapters into the base and export it: hf, gguf (f16/bf16/q8_0/q4_k_m), nvfp4 or fp8.") { config, overrides };
        command.SetAction((parse, ct) =>
        {
            bool supervised = Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1";
            using var console = new WorkerConsole(supervised);
            void Say(WorkerEvent e)
            {
                if (supervised) console.Emit(e);
                else if (e.Message is { } m) Console.WriteLine(m);
            }
            try
            {
                var settings = ExportSettings.Load(parse.GetValue(config)!.FullName, parse.GetValue(overrides) ?? []);
                TorchRuntime.Initialize();
                Say(new WorkerEvent { Event = WorkerEvent.Names.Started, Message = $"exporting {settings.ModelNameOrPath} as {string.Join(", ", settings.Outputs.Select(o => o.Label))}" });
                var pace = new ProgressPace();
                var manifest = ExportRunner.Run(settings, p =>
                {
                    if (!pace.ShouldReport(p)) return;
                    var message = $"{p.Stage}: {p.Done}/{p.Total}";
                    if (supervised) console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Step, Step = p.Done, TotalSteps = p.Total, Message = message });
                    else if (p.Done == p.Total) Console.WriteLine(message);
                }, console.StopRequested);
                foreach (var output in manifest.Outputs)
                {
                    var folder = Path.Combine(settings.ExportDir, output.Folder);
                    Say(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = $"{output.Label}: {output.Files.Count} file(s), {output.Bytes:N0} bytes, {output.Seconds:0.0} s in {Path.GetFullPath(folder)}" });
                    foreach (var serve in ServeCommands.For(output, folder, manifest.Name))
                        Say(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = $"  {serve.Engine}: {serve.Command}" });
                }
                Say(new WorkerEvent { Event = WorkerEvent.Names.Finished, Path = Path.GetFullPath(settings.ExportDir), Message = $"Exported {manifest.Name} to {Path.GetFullPath(settings.ExportDir)}." });
                return Task.FromResult(WorkerExitCodes.Succeeded);
            }
            catch (OperationCanceledException)
            {
                Say(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = "Export cancelled; nothing was written." });
                return Task.FromResult(WorkerExitCodes.Cancelled);
            }
            catch (Exception e) when (e is ArgumentException or ModelFileException or TokenizerFileException or TorchSetupException or InvalidDataException)
            {
                if (supervised) console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = e.Message });
                else Console.Error.WriteLine($"pgx export: {e.Message}");
                return Task.FromResult(WorkerExitCodes.InvalidInput);
            }
        });
        return command;
    }

    /// <summary>Progress at most every quarter second per stage, and always a stage's first and last count, so a
    /// model of hundreds of tensors does not flood the run's history.</summary>
    sealed class ProgressPace
    {
        string? _stage;
        DateTime _last;

        public bool ShouldReport(ExportProgress p)
        {
            var now = DateTime.UtcNow;
            bool report = p.Stage != _stage || p.Done == p.Total || now - _last >= TimeSpan.FromMilliseconds(250);
            if (report)
            {
                _stage = p.Stage;
                _last = now;
            }
            return report;
        }
    }
}
