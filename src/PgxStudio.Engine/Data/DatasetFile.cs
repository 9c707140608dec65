using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Data;

/// <summary>Reads a data file into rows: a JSON array, JSON Lines, or plain text (one "text" row per non-empty line).</summary>
public static class DatasetFile
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IReadOnlyList<JsonObject> ReadRows(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"Data file {path} does not exist; check \"file_name\" in dataset_info.json.");
        var text = ReadText(path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".txt")
            return text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)
                .Select(l => new JsonObject { ["text"] = l }).ToList();
        if (ext is not (".json" or ".jsonl"))
            throw new DatasetException($"Data file {path} has extension '{ext}'; use .json, .jsonl or .txt.");
        var trimmed = text.TrimStart();
        if (ext == ".json" && trimmed.StartsWith('['))
        {
            var node = ParseJson(path, text);
            return ((JsonArray)node!).Select((r, i) => r as JsonObject
                ?? throw new DatasetException($"Row {i} of {path} is not a JSON object.")).ToList();
        }
        // JSON Lines (also accepted in a .json file, as the Hugging Face json loader does).
        var rows = new List<JsonObject>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            JsonNode? node;
            try { node = JsonNode.Parse(lines[i]); }
            catch (JsonException e)
            {
                throw new DatasetException($"{path} has malformed JSON at line {i + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}", e);
            }
            rows.Add(node as JsonObject ?? throw new DatasetException($"Line {i + 1} of {path} is not a JSON object."));
        }
        return rows;
    }

    /// <summary>The file as text; bytes that are not UTF-8 are a clear error.</summary>
    public static string ReadText(string path)
    {
        try { return StrictUtf8.GetString(File.ReadAllBytes(path)).TrimStart('\uFEFF'); }
        catch (DecoderFallbackException e)
        {
            throw new DatasetException($"{path} is not UTF-8 text (bad byte at offset {e.Index}); save it as UTF-8.", e);
        }
    }

    internal static JsonNode? ParseJson(string path, string text)
    {
        try { return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }); }
        catch (JsonException e)
        {
            throw new DatasetException($"{path} has malformed JSON at line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}", e);
        }
    }

    static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
