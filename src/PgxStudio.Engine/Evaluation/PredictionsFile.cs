using System.Text.Json;

namespace PgxStudio.Engine.Evaluation;

/// <summary>One line of generated_predictions.jsonl (LLaMA-Factory, vLLM scripts, or ours).</summary>
public sealed record Prediction(string Prompt, string Predict, string Label);

/// <summary>Reads a predictions file: one JSON object per line with string fields prompt, predict and label.</summary>
public static class PredictionsFile
{
    public static List<Prediction> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Predictions file {path} does not exist; pass the generated_predictions.jsonl of a run.");
        var result = new List<Prediction>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} line {lineNo} is not valid JSON ({e.Message.Split('.')[0]}); each line must be one {{\"prompt\", \"predict\", \"label\"}} object.");
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path} line {lineNo} is not a JSON object; each line must be one {{\"prompt\", \"predict\", \"label\"}} object.");
                result.Add(new Prediction(Field(doc, "prompt", path, lineNo), Field(doc, "predict", path, lineNo), Field(doc, "label", path, lineNo)));
            }
        }
        return result;
    }

    static string Field(JsonDocument doc, string name, string path, int lineNo)
    {
        if (!doc.RootElement.TryGetProperty(name, out var value))
            throw new InvalidDataException($"{path} line {lineNo} has no \"{name}\" field; each line needs \"prompt\", \"predict\" and \"label\".");
        if (value.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{path} line {lineNo}: \"{name}\" must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
        return value.GetString()!;
    }
}
