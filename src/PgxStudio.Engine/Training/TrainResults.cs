using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Training;

/// <summary>
/// The end-of-run metrics Hugging Face's save_metrics("train", …) writes: train_results.json, merged into
/// all_results.json (sorted keys, indent 4), with its rounding (runtime to 4 places, rates to 3).
/// </summary>
public sealed record TrainResults(double TrainLoss, double TrainRuntimeSeconds, int Samples, int Steps, double Epoch,
    double TotalFlos = 0, long? PeakMemoryBytes = null)
{
    public const string FileName = "train_results.json";
    public const string AllResultsFileName = "all_results.json";

    /// <summary>Hugging Face's keys, plus peak_memory_bytes (this studio's: the worker's measured peak) when known.</summary>
    public SortedDictionary<string, double> Metrics()
    {
        var metrics = HuggingFaceMetrics();
        if (PeakMemoryBytes is { } peak) metrics["peak_memory_bytes"] = peak;
        return metrics;
    }

    SortedDictionary<string, double> HuggingFaceMetrics() => new(StringComparer.Ordinal)
    {
        ["epoch"] = Epoch,
        ["total_flos"] = TotalFlos,
        ["train_loss"] = TrainLoss,
        ["train_runtime"] = Math.Round(TrainRuntimeSeconds, 4),
        ["train_samples_per_second"] = TrainRuntimeSeconds > 0 ? Math.Round(Samples / TrainRuntimeSeconds, 3) : 0,
        ["train_steps_per_second"] = TrainRuntimeSeconds > 0 ? Math.Round(Steps / TrainRuntimeSeconds, 3) : 0,
    };

    static readonly JsonSerializerOptions Indent4 = new() { WriteIndented = true, IndentSize = 4 };

    public void Save(string outputDir)
    {
        var metrics = Metrics();
        AtomicFile.WriteAllText(Path.Combine(outputDir, FileName), JsonSerializer.Serialize(metrics, Indent4));
        var allPath = Path.Combine(outputDir, AllResultsFileName);
        var all = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (File.Exists(allPath) && JsonNode.Parse(File.ReadAllText(allPath)) is JsonObject existing)
            foreach (var (k, v) in existing) all[k] = v?.DeepClone();
        foreach (var (k, v) in metrics) all[k] = JsonValue.Create(v);
        AtomicFile.WriteAllText(allPath, JsonSerializer.Serialize(all, Indent4));
    }
}
