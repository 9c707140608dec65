using System.Text.Json;

namespace PgxStudio.Engine.Tokenization;

/// <summary>What tokenizer_config.json adds to tokenizer.json: the bos/eos/pad tokens and the chat template.</summary>
public sealed record TokenizerConfig(string? BosToken, string? EosToken, string? PadToken, string? ChatTemplate)
{
    public static readonly TokenizerConfig None = new(null, null, null, null);

    /// <summary>Reads the file; a model folder without one has no bos/eos/pad.</summary>
    public static TokenizerConfig Read(string path)
    {
        if (!File.Exists(path)) return None;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFileException($"{path} is not a JSON object; download the model's tokenizer_config.json again.");
            return new TokenizerConfig(Token(root, "bos_token"), Token(root, "eos_token"), Token(root, "pad_token"),
                root.TryGetProperty("chat_template", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path} is not valid JSON (line {e.LineNumber + 1}); download the model's tokenizer_config.json again.", e);
        }
    }

    /// <summary>Written either as the token's text or as an object with "content".</summary>
    static string? Token(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
        : null;
}
