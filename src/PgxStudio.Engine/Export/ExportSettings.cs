using System.Globalization;
using PgxStudio.Engine.Export.Gguf;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Export;

/// <summary>
/// An export config in LLaMA-Factory's keys (model_name_or_path, adapter_name_or_path, template, export_dir,
/// export_size in GB per shard, export_device, export_quantization_dataset / _nsamples / _maxlen) plus the studio's
/// export_format (hf, gguf, nvfp4, fp8; a comma list writes several) and export_quantization (the GGUF types f16,
/// bf16, q8_0, q4_k_m). Keys it does not use (finetuning_type, trust_remote_code, …) are ignored as LLaMA-Factory's
/// other stages ignore them; values it cannot honour are refused with one sentence naming the file, line and key.
/// </summary>
public sealed record ExportSettings(string ModelNameOrPath, string? AdapterNameOrPath, string ExportDir, int ExportSizeGigabytes)
{
    public static readonly IReadOnlyList<string> FormatNames = ["hf", "gguf", "nvfp4", "fp8"];
    public static readonly IReadOnlyList<string> Devices = ["cpu", "auto"];

    public IReadOnlyList<string> Formats { get; init; } = ["hf"];
    public IReadOnlyList<GgufQuantization> GgufQuantizations { get; init; } = [GgufQuantization.Q4_K_M];
    public string? QuantizationDataset { get; init; }
    public int QuantizationSamples { get; init; } = 128;
    public int QuantizationMaxLength { get; init; } = 1024;
    public string ExportDevice { get; init; } = "cpu";
    public string DatasetDir { get; init; } = "data";
    public string? Template { get; init; }

    /// <summary>The export's name: its folder's.</summary>
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(ExportDir));

    public bool NeedsCalibration => Formats.Any(f => f is "nvfp4" or "fp8");

    /// <summary>What gets written: one output per format (per GGUF type), straight into export_dir when there is one,
    /// else each in its own sub-folder (hf, gguf-q4_k_m, nvfp4, fp8).</summary>
    public IReadOnlyList<ExportOutput> Outputs
    {
        get
        {
            var outputs = Formats.SelectMany(f => f == "gguf"
                ? GgufQuantizations.Select(q => (Format: f, Quantization: (GgufQuantization?)q))
                : [(f, null)]).ToList();
            return outputs.Select(o => new ExportOutput(o.Format, o.Quantization,
                outputs.Count == 1 ? "." : o.Quantization is { } q ? $"gguf-{q.Name}" : o.Format)).ToList();
        }
    }

    public static ExportSettings Load(string path, IEnumerable<string> overrides)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{path} does not exist.");
        return Parse(File.ReadAllText(path), path, overrides);
    }

    public static ExportSettings Parse(string yaml, string source, IEnumerable<string> overrides)
    {
        var values = new Dictionary<string, (string? Value, string Where)>();
        try
        {
            foreach (var (key, value, line) in TrainingConfigLoader.ReadMapping(yaml, source)) values[key] = (value, $"{source} line {line}");
        }
        catch (TrainingConfigException e) { throw new ArgumentException(e.Message, e); }
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"Command-line override '{o}' is not key=value (for example export_format=gguf).");
            values[o[..eq].Trim()] = (o[(eq + 1)..], "command line");
        }

        string? Text(string key) => values.TryGetValue(key, out var v) && v.Value is { Length: > 0 } s && s != "null" ? s.Trim() : null;
        string Where(string key) => values.TryGetValue(key, out var v) ? v.Where : source;
        ArgumentException Bad(string key, string what) => new($"{Where(key)}: {key} {what}");
        string Required(string key) => Text(key) ?? throw new ArgumentException($"{source}: {key} is required for export.");
        int Number(string key, int fallback, int min)
        {
            if (Text(key) is not { } text) return fallback;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) throw Bad(key, $"is '{text}'; it must be a whole number.");
            if (n < min) throw Bad(key, $"is {n}; it must be at least {min}.");
            return n;
        }
        IReadOnlyList<string> List(string key) => (Text(key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        if (Text("quantization_bit") is { } bit)
            throw Bad("quantization_bit", $"is {bit}: that asks for a quantized base, and adapters cannot be merged into a quantized model; remove quantization_bit to merge into the original full-precision weights.");
        if (Text("export_quantization_bit") is { } gptq)
            throw Bad("export_quantization_bit", $"is {gptq}: GPTQ export is not offered; use export_format nvfp4, fp8 or gguf (export_quantization q4_k_m) for a smaller model.");
        if (Text("export_legacy_format") is { } legacy && legacy.Equals("true", StringComparison.OrdinalIgnoreCase))
            throw Bad("export_legacy_format", "is true, but exports are written as safetensors only; set it to false.");
        if (Text("export_hub_model_id") is { } hub)
            throw Bad("export_hub_model_id", $"is {hub}, but the studio does not upload to the Hugging Face Hub; remove it and upload the exported folder yourself.");

        var formats = List("export_format") is { Count: > 0 } f ? f.Select(x => x.ToLowerInvariant()).Distinct().ToList() : ["hf"];
        if (formats.FirstOrDefault(x => !FormatNames.Contains(x)) is { } unknownFormat)
            throw Bad("export_format", $"{unknownFormat} is not one of {string.Join(", ", FormatNames)}.");

        var quantizationNames = List("export_quantization");
        if (quantizationNames.Count > 0 && !formats.Contains("gguf"))
            throw Bad("export_quantization", $"is {string.Join(",", quantizationNames)}, but it only chooses the GGUF types; add gguf to export_format or remove it (nvfp4 and fp8 are formats of their own).");
        var quantizations = new List<GgufQuantization>();
        foreach (var name in quantizationNames)
            quantizations.Add(GgufQuantization.Find(name) ?? throw Bad("export_quantization", $"{name} is not one of {string.Join(", ", GgufQuantization.All.Select(q => q.Name))}."));

        var device = (Text("export_device") ?? "cpu").ToLowerInvariant();
        if (!Devices.Contains(device)) throw Bad("export_device", $"is {device}; it must be cpu or auto (the accelerator when there is one).");

        var settings = new ExportSettings(Required("model_name_or_path"), Text("adapter_name_or_path"), Required("export_dir"), Number("export_size", 5, 1))
        {
            Formats = formats,
            GgufQuantizations = quantizations.Count > 0 ? quantizations.Distinct().ToList() : [GgufQuantization.Q4_K_M],
            QuantizationDataset = Text("export_quantization_dataset"),
            QuantizationSamples = Number("export_quantization_nsamples", 128, 1),
            QuantizationMaxLength = Number("export_quantization_maxlen", 1024, 8),
            ExportDevice = device,
            DatasetDir = Text("dataset_dir") ?? "data",
            Template = Text("template"),
        };
        if (settings.NeedsCalibration && settings.QuantizationDataset is null)
            throw new ArgumentException($"{source}: export_quantization_dataset is required for {string.Join(" and ", formats.Where(x => x is "nvfp4" or "fp8"))}: activation scales come from a calibration pass, so name a dataset of {settings.DatasetDir}/dataset_info.json or a .txt/.jsonl file.");
        return settings;
    }
}

/// <summary>One thing an export writes: a format (and GGUF type) into a folder relative to export_dir.</summary>
public sealed record ExportOutput(string Format, GgufQuantization? Quantization, string Folder)
{
    public string Label => Quantization is { } q ? $"{Format} {q.Name}" : Format;
}
