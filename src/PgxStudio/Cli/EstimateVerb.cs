using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Training;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx estimate CONFIG.yaml [key=value …] [--memory-gb N] [--json]`: a training config's predicted peak memory,
/// part by part, against the memory available now (or a machine of N GB), and whether it fits. The model may be a
/// folder or a known Hugging Face id, so a plan for a 70B model needs no download.
/// </summary>
public static class EstimateVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("config") { Description = "LLaMA-Factory training YAML." };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value settings that replace the file's.", Arity = ArgumentArity.ZeroOrMore };
        var memory = new Option<double?>("--memory-gb") { Description = "Plan for a machine with this much memory free (GB) instead of this one." };
        var device = new Option<string?>("--device") { Description = "Plan for cpu or cuda (a GB10) instead of this machine's device." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("estimate", "Predict a training run's peak memory and whether it fits.") { config, overrides, memory, device, json };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(config)!, parse.GetValue(overrides) ?? [], parse.GetValue(memory),
            parse.GetValue(device), parse.GetValue(json))));
        return command;
    }

    static int Run(FileInfo file, string[] overrides, double? memoryGb, string? deviceName, bool json)
    {
        MemoryPlan plan;
        TrainingArguments args;
        try
        {
            if (!file.Exists) throw new TrainingConfigException($"{file.FullName} does not exist.");
            args = TrainingConfigLoader.Load(file.FullName, overrides).Arguments;
            var model = PlannedModel.Resolve(args.ModelNameOrPath!);
            if (deviceName is not (null or "cpu" or "cuda")) throw new ArgumentException($"--device {deviceName} is not cpu or cuda.");
            TorchRuntime.Initialize();
            var device = deviceName is null ? TorchRuntime.Info.Device : new TorchSharp.torch.Device(deviceName);
            var available = memoryGb is { } gb ? new AvailableMemory((long)(gb * 1e9), "--memory-gb") : AvailableMemory.Now(device);
            plan = MemoryPlan.ForTraining(model, args, device, available);
        }
        catch (Exception e) when (e is TrainingConfigException or ModelFileException or ArgumentException or TorchSetupException)
        {
            Console.Error.WriteLine($"pgx estimate: {e.Message}");
            return 2;
        }
        if (json)
        {
            Console.WriteLine(new JsonObject
            {
                ["model"] = args.ModelNameOrPath, ["finetuning_type"] = args.FinetuningType, ["quantization_bit"] = args.QuantizationBit,
                ["bf16"] = args.Bf16, ["gradient_checkpointing"] = !args.DisableGradientCheckpointing, ["cutoff_len"] = args.CutoffLen,
                ["per_device_train_batch_size"] = args.PerDeviceTrainBatchSize,
                ["parts"] = new JsonObject(plan.Parts.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)JsonValue.Create(p.Bytes)))),
                ["peak_bytes"] = plan.PeakBytes, ["available_bytes"] = plan.Available?.Bytes, ["available_source"] = plan.Available?.Source,
                ["fits"] = plan.Fits, ["summary"] = plan.Summary().ToString(), ["advice"] = plan.Fits == false ? plan.Refusal(args).ToString() : null,
            }.ToJsonString());
            return 0;
        }
        foreach (var part in plan.Parts) Console.WriteLine($"{part.Name,-24}{MemoryPlan.Gigabytes(part.Bytes),10}  {part.Detail}");
        Console.WriteLine($"{"peak",-24}{MemoryPlan.Gigabytes(plan.PeakBytes),10}  {plan.Summary()}");
        if (plan.Fits == false) Console.WriteLine(plan.Refusal(args));
        return 0;
    }
}
