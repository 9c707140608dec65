using System.CommandLine;
using PgxStudio.Engine.Export;
using PgxStudio.Engine.Models;

namespace PgxStudio.Cli;

/// <summary>`pgx export CONFIG.yaml [key=value …]`: merge LoRA into the base and write a Hugging Face folder.</summary>
public static class ExportVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "YAML with model_name_or_path, adapter_name_or_path, export_dir, export_size." };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value settings that replace the file's.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("export", "Merge adapters into the base model and write a Hugging Face folder for vLLM / TensorRT-LLM / transformers.") { config, overrides };
        command.SetAction((parse, ct) =>
        {
            try
            {
                var settings = ExportSettings.Load(parse.GetValue(config)!.FullName, parse.GetValue(overrides) ?? []);
                var files = ModelExporter.Export(settings);
                Console.WriteLine($"Exported {settings.ModelNameOrPath}{(settings.AdapterNameOrPath is { } a ? $" + {a}" : "")} to {settings.ExportDir} ({files.Count} weight file(s)).");
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is ArgumentException or ModelFileException or YamlDotNet.Core.YamlException)
            {
                Console.Error.WriteLine($"pgx export: {e.Message}");
                return Task.FromResult(2);
            }
        });
        return command;
    }
}
