using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Peft;

/// <summary>
/// LoRA on a <see cref="CausalLM"/>: attach fresh adapters for training, save and load them in PEFT's format
/// (adapter_config.json + adapter_model.safetensors with keys `base_model.model.&lt;hf path&gt;.lora_A.weight`), and
/// apply saved adapters merged (folded into the base weights) or unmerged.
/// </summary>
public static class LoraAdapter
{
    const string PeftPrefix = "base_model.model.";

    /// <summary>Projections a target list selects (matched on the last name part), never lm_head.</summary>
    public static IReadOnlyList<(string Path, Projection Module)> Targets(CausalLM model, IReadOnlyList<string> targets)
    {
        var found = model.named_modules()
            .Where(m => m.module is Projection && m.name != "lm_head" && targets.Contains(m.name.Split('.')[^1]))
            .Select(m => (m.name, (Projection)m.module))
            .ToList();
        var missing = targets.Where(t => !found.Any(f => f.Item1.EndsWith("." + t))).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"lora_target names {string.Join(", ", missing)}, which this {model.Config.Architecture} does not have; use all or some of {string.Join(",", LoraSettings.AllLinear)}.");
        return found;
    }

    /// <summary>Fresh adapters for training: A with PEFT's default (Kaiming-uniform) init, B zero, so the model is unchanged.</summary>
    public static void Attach(CausalLM model, LoraSettings settings, long seed)
    {
        if (settings.Rank < 1) throw new ArgumentException($"lora_rank is {settings.Rank}; it must be at least 1.");
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var (_, projection) in Targets(model, settings.Targets))
        {
            long fanIn = projection.InFeatures;
            double bound = 1.0 / Math.Sqrt(fanIn); // kaiming_uniform_(a=√5) on an [r, in] matrix
            var a = (rand([settings.Rank, fanIn], generator: generator) * 2 - 1) * bound;
            var b = zeros([projection.OutFeatures, settings.Rank]);
            projection.AttachLora(a.to(ScalarType.Float32, model.Device), b.to(ScalarType.Float32, model.Device), settings.Alpha, settings.Dropout);
        }
    }

    /// <summary>Writes adapter_config.json and adapter_model.safetensors (LoRA tensors only).</summary>
    public static void Save(CausalLM model, LoraSettings settings, string baseModelPath, string directory)
    {
        Directory.CreateDirectory(directory);
        var tensors = model.named_parameters()
            .Where(p => p.name.EndsWith(".lora_A.weight") || p.name.EndsWith(".lora_B.weight"))
            .Select(p => (PeftPrefix + p.name, (Tensor)p.parameter))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(directory, "adapter_model.safetensors"), tensors);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModelPath,
            ["r"] = settings.Rank,
            ["lora_alpha"] = settings.Alpha,
            ["lora_dropout"] = settings.Dropout,
            ["target_modules"] = new JsonArray(settings.Targets.Select(t => (JsonNode)t).ToArray()),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["modules_to_save"] = null,
            ["use_rslora"] = false,
            ["use_dora"] = false,
        };
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static LoraSettings ReadSettings(string directory)
    {
        var path = Path.Combine(directory, "adapter_config.json");
        if (!File.Exists(path)) throw new ModelFileException($"{path} does not exist; an adapter folder needs PEFT's adapter_config.json.");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        if (json["peft_type"]?.GetValue<string>() != "LORA") throw new ModelFileException($"{path}: only LoRA adapters (peft_type LORA) are supported.");
        if (json["use_dora"]?.GetValue<bool>() == true) throw new ModelFileException($"{path}: DoRA adapters are not supported.");
        var targets = json["target_modules"] switch
        {
            JsonArray a => a.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue v => LoraSettings.ParseTargets(v.GetValue<string>()).ToList(),
            _ => LoraSettings.AllLinear.ToList(),
        };
        int r = json["r"]!.GetValue<int>();
        double alpha = json["lora_alpha"]?.GetValue<double>() ?? r;
        if (json["use_rslora"]?.GetValue<bool>() == true) alpha = alpha * Math.Sqrt(r); // rsLoRA scales by alpha/√r: same product with r in the divisor
        return new LoraSettings(r, alpha, json["lora_dropout"]?.GetValue<double>() ?? 0, targets);
    }

    /// <summary>Applies a saved adapter: folded into the base weights (merged) or as live LoRA modules.</summary>
    public static void Apply(CausalLM model, string directory, bool merge)
    {
        var settings = ReadSettings(directory);
        var path = Path.Combine(directory, "adapter_model.safetensors");
        using var file = new SafetensorsFile(path);
        var used = new HashSet<string>();
        foreach (var (name, projection) in Targets(model, settings.Targets))
        {
            string keyA = $"{PeftPrefix}{name}.lora_A.weight", keyB = $"{PeftPrefix}{name}.lora_B.weight";
            if (!file.Entries.ContainsKey(keyA) || !file.Entries.ContainsKey(keyB))
                throw new ModelFileException($"{path} has no {keyA} / {keyB}; the adapter was trained for another model or other targets.");
            using var a = file.Read(keyA);
            using var b = file.Read(keyB);
            if (!a.shape.SequenceEqual(new[] { (long)settings.Rank, projection.InFeatures }) || !b.shape.SequenceEqual(new[] { projection.OutFeatures, (long)settings.Rank }))
                throw new ModelFileException($"{path}: {keyA} [{string.Join(", ", a.shape)}] / {keyB} [{string.Join(", ", b.shape)}] do not fit {name} ({projection.OutFeatures}×{projection.InFeatures}, r={settings.Rank}); the adapter belongs to another base model.");
            used.Add(keyA);
            used.Add(keyB);
            double scale = settings.Alpha / settings.Rank;
            if (merge && projection.weight is null)
                throw new ModelFileException($"{directory} cannot be merged into {name}, whose base weight is quantized (quantization_bit); load the base unquantized to merge, or apply only one adapter.");
            if (merge)
                using (no_grad())
                {
                    var delta = b.to(ScalarType.Float32).matmul(a.to(ScalarType.Float32)) * scale;
                    projection.weight!.add_(delta.to(projection.weight.dtype, projection.weight.device));
                }
            else
                projection.AttachLora(a.to(ScalarType.Float32, model.Device).clone(), b.to(ScalarType.Float32, model.Device).clone(), settings.Alpha, 0);
        }
        var unused = file.Entries.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new ModelFileException($"{path} holds {unused.Count} tensor(s) this model has no place for, first {unused[0]}; the adapter belongs to another base model.");
    }
}
