using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// The sampling a model's authors chose, from its generation_config.json (temperature, top_p, top_k,
/// repetition_penalty, do_sample), applied when a request leaves a setting out, as vLLM and transformers do.
/// Without the file: temperature 1, top_p 1, no top-k, no penalty.
/// </summary>
public sealed record GenerationDefaults(double Temperature = 1.0, double TopP = 1.0, int TopK = 0, double RepetitionPenalty = 1.0)
{
    public static GenerationDefaults Load(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path)) return new();
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ModelFileException($"{path} is not a JSON object; fix or delete it.");
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"{path} is not valid JSON ({e.Message}); fix or delete it.", e);
        }
        double Number(string key, double fallback) => json[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : fallback;
        bool sample = json["do_sample"] is not JsonValue s || !s.TryGetValue<bool>(out var b) || b;
        return new GenerationDefaults(
            Temperature: sample ? Number("temperature", 1.0) : 0,
            TopP: Math.Clamp(Number("top_p", 1.0), double.Epsilon, 1.0),
            TopK: Math.Max(0, (int)Number("top_k", 0)),
            RepetitionPenalty: Number("repetition_penalty", 1.0) is > 0 and var p ? p : 1.0);
    }
}
