using System.Text;
using System.Text.Json;

namespace PgxStudio.Benchmarks;

/// <summary>
/// Prompts for a serve benchmark: synthetic ones of about L tokens (counted as chars/4, the same estimate the
/// benchmark uses when a server sends no usage), or the first user turn of a dataset registered in
/// data/dataset_info.json (alpaca: instruction + input; sharegpt/openai: the first user message).
/// </summary>
public static class BenchmarkPrompts
{
    static readonly string[] Words =
        ["river", "lantern", "copper", "meadow", "signal", "harbor", "violet", "engine", "garden", "thunder", "pencil", "orbit"];

    /// <summary>Distinct prompts (a different word order each) of about <paramref name="tokens"/> tokens by chars/4.</summary>
    public static IReadOnlyList<string> Synthetic(int tokens, int count)
    {
        if (tokens < 1) throw new ArgumentException($"--prompt-len {tokens} must be at least 1.");
        var prompts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder($"Request {i}. Repeat these words: ");
            var random = new Random(i);
            while (text.Length < tokens * 4) text.Append(Words[random.Next(Words.Length)]).Append(' ');
            prompts.Add(text.ToString(0, Math.Max(1, tokens * 4)).TrimEnd());
        }
        return prompts;
    }

    /// <summary>Up to <paramref name="count"/> prompts from dataset <paramref name="name"/>, cycled when it has fewer.</summary>
    public static IReadOnlyList<string> FromDataset(string dataDirectory, string name, int count)
    {
        var infoPath = Path.Combine(dataDirectory, "dataset_info.json");
        if (!File.Exists(infoPath))
            throw new InvalidDataException($"{infoPath} does not exist; pass --data-dir with the folder holding dataset_info.json.");
        using var info = JsonDocument.Parse(File.ReadAllText(infoPath));
        if (!info.RootElement.TryGetProperty(name, out var entry))
            throw new InvalidDataException($"{infoPath} has no dataset \"{name}\"; it has {string.Join(", ", info.RootElement.EnumerateObject().Select(p => p.Name).Take(20))}.");
        if (!entry.TryGetProperty("file_name", out var file) || file.GetString() is not { Length: > 0 } fileName)
            throw new InvalidDataException($"{infoPath}: dataset \"{name}\" has no \"file_name\" (Hugging Face hub datasets are not read by the benchmark).");
        var path = Path.Combine(dataDirectory, fileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{path} (dataset \"{name}\") does not exist.");
        var formatting = entry.TryGetProperty("formatting", out var f) ? f.GetString() : "alpaca";
        var columns = entry.TryGetProperty("columns", out var c) ? c : default;
        var tags = entry.TryGetProperty("tags", out var t) ? t : default;

        var prompts = new List<string>();
        foreach (var row in Rows(path))
        {
            var prompt = formatting == "sharegpt" ? FirstUserTurn(row, columns, tags) : AlpacaPrompt(row, columns);
            if (!string.IsNullOrWhiteSpace(prompt)) prompts.Add(prompt);
            if (prompts.Count == count) break;
        }
        if (prompts.Count == 0) throw new InvalidDataException($"{path} (dataset \"{name}\") has no row with a user prompt.");
        return Enumerable.Range(0, count).Select(i => prompts[i % prompts.Count]).ToList();
    }

    static IEnumerable<JsonElement> Rows(string path)
    {
        var text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith('['))
        {
            using var array = JsonDocument.Parse(text);
            return array.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        }
        return text.Split('\n').Where(l => l.Trim().Length > 0).Select((l, i) =>
        {
            try { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); }
            catch (JsonException e) { throw new InvalidDataException($"{path} line {i + 1} is not JSON: {e.Message}"); }
        }).ToList();
    }

    static string Column(JsonElement columns, string name, string fallback) =>
        columns.ValueKind == JsonValueKind.Object && columns.TryGetProperty(name, out var v) && v.GetString() is { } s ? s : fallback;

    static string? AlpacaPrompt(JsonElement row, JsonElement columns)
    {
        var instruction = Field(row, Column(columns, "prompt", "instruction"));
        var input = Field(row, Column(columns, "query", "input"));
        return string.IsNullOrEmpty(input) ? instruction : $"{instruction}\n{input}";
    }

    static string? FirstUserTurn(JsonElement row, JsonElement columns, JsonElement tags)
    {
        if (!row.TryGetProperty(Column(columns, "messages", "conversations"), out var messages) || messages.ValueKind != JsonValueKind.Array) return null;
        var roleTag = Column(tags, "role_tag", "from");
        var contentTag = Column(tags, "content_tag", "value");
        var userTag = Column(tags, "user_tag", "human");
        foreach (var m in messages.EnumerateArray())
            if (Field(m, roleTag) == userTag) return Field(m, contentTag);
        return null;
    }

    static string? Field(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
