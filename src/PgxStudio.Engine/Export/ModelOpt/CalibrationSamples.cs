using System.Text.Json;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// The texts a calibration pass reads, as token ids: the first N records of a dataset registered in
/// dataset_info.json (each record's turns joined as plain text), or of a file: .txt (one sample per line), .jsonl or
/// .json (records with a "text" field, as LLaMA-Factory's export_quantization_dataset files hold). Each sample is cut
/// to at most maxLength tokens; no template, as ModelOpt calibrates on raw text.
/// </summary>
public static class CalibrationSamples
{
    public static List<IReadOnlyList<int>> Load(string dataset, string dataDirectory, ITokenizer tokenizer, int count, int maxLength)
    {
        var texts = Texts(dataset, dataDirectory).Where(t => !string.IsNullOrWhiteSpace(t)).Take(count);
        var samples = texts.Select(t => (IReadOnlyList<int>)tokenizer.Encode(t).Take(maxLength).ToList()).Where(ids => ids.Count >= 1).ToList();
        if (samples.Count == 0)
            throw new ArgumentException($"export_quantization_dataset {dataset} gave no text to calibrate on; name a dataset with text in it.");
        return samples;
    }

    static IEnumerable<string> Texts(string dataset, string dataDirectory)
    {
        var asFile = Path.IsPathRooted(dataset) ? dataset : Path.Combine(dataDirectory, dataset);
        if (File.Exists(asFile) || File.Exists(dataset))
        {
            var path = File.Exists(asFile) ? asFile : dataset;
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".txt" => File.ReadLines(path),
                ".jsonl" => File.ReadLines(path).Where(l => l.Trim().Length > 0).Select((l, i) => TextField(JsonDocument.Parse(l).RootElement, path, i + 1)),
                ".json" => JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().Select((r, i) => TextField(r, path, i + 1)).ToList(),
                _ => throw new ArgumentException($"export_quantization_dataset {path} is neither .txt, .jsonl nor .json."),
            };
        }
        DatasetRegistry registry;
        try { registry = DatasetRegistry.Load(dataDirectory); }
        catch (DatasetException e) { throw new ArgumentException(e.Message, e); }
        if (registry.Entries.All(e => e.Name != dataset))
            throw new ArgumentException($"export_quantization_dataset {dataset} is neither a file nor a dataset of {registry.InfoPath}; name one of {string.Join(", ", registry.Entries.Select(e => e.Name))}.");
        try
        {
            var (conversations, _) = DatasetLoader.Read(registry, dataset);
            return conversations.Select(c => string.Join("\n", c.Messages.Select(m => m.Content)));
        }
        catch (DatasetException e) { throw new ArgumentException(e.Message, e); }
    }

    static string TextField(JsonElement record, string path, int number) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new ArgumentException($"{path} record {number} has no \"text\" string; calibration files hold records like {{\"text\": \"…\"}}.");
}
