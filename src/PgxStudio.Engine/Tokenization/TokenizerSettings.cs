using System.Text.Json;

namespace PgxStudio.Engine.Tokenization;

/// <summary>What tokenizer_config.json adds: the bos/eos/pad tokens and the chat template.</summary>
public sealed record TokenizerSettings(string? BosToken, string? EosToken, string? PadToken, string? ChatTemplate, bool AddBosToken)
{
    public static TokenizerSettings Read(string path)
    {
        if (!File.Exists(path)) return new TokenizerSettings(null, null, null, null, false);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            return new TokenizerSettings(Token(root, "bos_token"), Token(root, "eos_token"), Token(root, "pad_token"),
                root.TryGetProperty("chat_template", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null,
                root.TryGetProperty("add_bos_token", out var a) && a.ValueKind == JsonValueKind.True);
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path} is not valid JSON ({e.Message}); download the model's tokenizer_config.json again.", e);
        }
    }

    /// <summary>A token is either a string or an AddedToken object with "content".</summary>
    static string? Token(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) ? c.GetString()
        : null;
}
