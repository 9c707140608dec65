using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Training;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench curve CONFIG.yaml --variants "A;B;…" --steps N`: the same training config run once per variant (each a
/// set of key=value overrides, e.g. `bf16=false;bf16=true` or `quantization_bit=null;quantization_bit=4`), each as
/// `pgx train` in its own process on real data, and the loss curves compared with the first variant's: relative
/// difference of the last logged loss and the largest one along the curve, tokens/s and peak memory of each.
/// </summary>
public static class BenchCurveVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "A LLaMA-Factory training YAML (its model and datasets)." };
        var variants = new Option<string>("--variants") { Description = "Semicolon-separated variants, each a space-separated list of key=value overrides.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps per variant.", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json");
        var command = new Command("curve", "Loss curves of config variants (bf16 against fp32, QLoRA against LoRA) on real data.") { config, variants, steps, json };
        command.SetAction((parse, ct) =>
        {
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"pgx bench curve: {file.FullName} does not exist.");
                return Task.FromResult(2);
            }
            var list = parse.GetValue(variants)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var scratch = Directory.CreateTempSubdirectory("pgx-bench-curve-").FullName;
            var rows = new List<(string Variant, double[] Losses, double TokensPerSecond, long? Peak)>();
            try
            {
                foreach (var (variant, index) in list.Select((v, i) => (v, i)))
                {
                    Console.Error.WriteLine($"pgx bench curve: variant {index + 1} of {list.Length}: {variant}");
                    var output = Path.Combine(scratch, $"variant-{index}");
                    rows.Add(Train(file.FullName, variant, output, parse.GetValue(steps)));
                }
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"pgx bench curve: {e.Message}");
                return Task.FromResult(1);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
            var reference = rows[0].Losses;
            var result = new JsonObject
            {
                ["benchmark"] = "curve", ["config"] = file.FullName, ["steps"] = parse.GetValue(steps),
                ["results"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["variant"] = r.Variant, ["losses"] = new JsonArray(r.Losses.Select(l => (JsonNode)JsonValue.Create(Math.Round(l, 4))!).ToArray()),
                    ["last_loss"] = Math.Round(r.Losses[^1], 4),
                    ["last_loss_difference"] = Math.Round(r.Losses[^1] / reference[^1] - 1, 4),
                    ["largest_loss_difference"] = Math.Round(r.Losses.Zip(reference, (a, b) => Math.Abs(a / b - 1)).Max(), 4),
                    ["tokens_per_second"] = Math.Round(r.TokensPerSecond, 2),
                    ["speed_ratio"] = Math.Round(r.TokensPerSecond / rows[0].TokensPerSecond, 3),
                    ["peak_memory_bytes"] = r.Peak,
                }).ToArray()),
            };
            Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = !parse.GetValue(json) }));
            return Task.FromResult(0);
        });
        return command;
    }

    static (string, double[], double, long?) Train(string config, string variant, string output, int steps)
    {
        var overrides = variant.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = Jobs.WorkerLaunch.ThisProgram(["train", config, .. overrides, $"max_steps={steps}", "logging_steps=1", "save_steps=1000000",
            "plot_loss=false", $"output_dir={output}"]);
        info.Environment[Jobs.WorkerLaunch.SupervisedVariable] = "1"; // JSON-line events, not a progress bar
        Jobs.WorkerAllocator.Apply(info.Environment); // a training worker's heap, as the studio starts it
        info.RedirectStandardInput = true;
        using var child = Process.Start(info)!;
        var error = child.StandardError.ReadToEndAsync();
        var events = new List<JsonNode>();
        while (child.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith('{')) events.Add(JsonNode.Parse(line)!);
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"variant '{variant}' failed: {events.LastOrDefault()?["message"] ?? error.Result.Trim()}");
        var stepEvents = events.Where(e => (string?)e["event"] == "step" && e["loss"] is not null).ToList();
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainResults.FileName)))!;
        return (variant, stepEvents.Select(e => (double)e["loss"]!).ToArray(),
            stepEvents.LastOrDefault()?["tokens_per_second"]?.GetValue<double>() ?? 0, (long?)results["peak_memory_bytes"]?.GetValue<double>());
    }
}
