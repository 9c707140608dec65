using PgxStudio.Engine.Training;
using PgxStudio.Training;

namespace PgxStudio.Exports;

/// <summary>
/// The Export page's form. It becomes the YAML `pgx export` reads: LLaMA-Factory's export keys plus export_format and
/// export_quantization; the export goes to saves/exports/NAME.
/// </summary>
public sealed class ExportForm
{
    public static readonly IReadOnlyList<string> Formats = Engine.Export.ExportSettings.FormatNames;
    public static readonly IReadOnlyList<string> GgufTypes = Engine.Export.Gguf.GgufQuantization.All.Select(q => q.Name).ToList();
    public static readonly IReadOnlyList<string> Devices = Engine.Export.ExportSettings.Devices;

    public string Name { get; set; } = $"export_{DateTime.Now:yyyy-MM-dd-HH-mm-ss}";
    public string ModelPath { get; set; } = "";
    public IReadOnlyCollection<string> Adapters { get; set; } = [];
    public IReadOnlyCollection<string> ExportFormats { get; set; } = ["gguf"];
    public IReadOnlyCollection<string> Quantizations { get; set; } = ["q4_k_m"];
    public string CalibrationDataset { get; set; } = "";
    public int CalibrationSamples { get; set; } = 128;
    public int ShardGigabytes { get; set; } = 5;
    public string Template { get; set; } = TrainForm.AutoTemplate;
    public string Device { get; set; } = "cpu";

    public bool Calibrates => ExportFormats.Any(f => f is "nvfp4" or "fp8");
    public bool WritesGguf => ExportFormats.Contains("gguf");

    /// <summary>The export's folder as the config writes it.</summary>
    public string ExportDir(string savesRelative) => $"{savesRelative}/exports/{Name.Trim()}";

    public string Yaml(string savesRelative, string dataRelative)
    {
        var lines = new List<string> { "### model", Line("model_name_or_path", ModelPath.Trim()) };
        if (Adapters.Count > 0)
        {
            lines.Add(Line("adapter_name_or_path", string.Join(",", Adapters)));
            lines.Add("finetuning_type: lora");
        }
        if (Template != TrainForm.AutoTemplate) lines.Add(Line("template", Template));
        lines.AddRange(["", "### export", Line("export_dir", ExportDir(savesRelative)), Line("export_format", string.Join(",", Ordered(ExportFormats, Formats)))]);
        if (WritesGguf) lines.Add(Line("export_quantization", string.Join(",", Ordered(Quantizations, GgufTypes))));
        lines.AddRange([Line("export_size", ShardGigabytes), Line("export_device", Device), "export_legacy_format: false"]);
        if (Calibrates)
            lines.AddRange([Line("export_quantization_dataset", CalibrationDataset.Trim()), Line("export_quantization_nsamples", CalibrationSamples), Line("dataset_dir", dataRelative)]);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The same YAML from a terminal: `pgx export NAME.yaml`.</summary>
    public string CommandLine => $"pgx export {Name.Trim()}.yaml";

    static IEnumerable<string> Ordered(IReadOnlyCollection<string> chosen, IReadOnlyList<string> order) => order.Where(chosen.Contains);

    static string Line(string key, object value) => $"{key}: {TrainingConfigKeys.Format(value)}";
}
