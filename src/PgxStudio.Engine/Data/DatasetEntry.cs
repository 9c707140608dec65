using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Data;

/// <summary>One dataset_info.json entry, in LLaMA-Factory's schema.</summary>
public sealed record DatasetEntry
{
    public required string Name { get; init; }
    /// <summary>The local file (relative to the data folder); null for entries that only name a hub or script.</summary>
    public required string? FileName { get; init; }
    /// <summary>The formattings LLaMA-Factory reads.</summary>
    public static readonly IReadOnlyList<string> Formats = ["alpaca", "sharegpt", "openai"];

    /// <summary>alpaca, sharegpt or openai.</summary>
    public string Formatting { get; init; } = "alpaca";
    public bool Ranking { get; init; }
    public int? NumSamples { get; init; }
    /// <summary>Column names by role (prompt, query, response, history, system, messages, tools, chosen, rejected).</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();
    /// <summary>Tag names (role_tag, content_tag, user_tag, assistant_tag, observation_tag, function_tag, system_tag).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public string? Column(string role) => Columns.TryGetValue(role, out var c) ? c : DefaultColumn(role);

    string? DefaultColumn(string role) => (Formatting, role) switch
    {
        ("alpaca", "prompt") => "instruction",
        ("alpaca", "query") => "input",
        ("alpaca", "response") => "output",
        (not "alpaca", "messages") => Formatting == "openai" ? "messages" : "conversations",
        _ => null,
    };

    public string Tag(string tag) => Tags.TryGetValue(tag, out var t) ? t : (Formatting, tag) switch
    {
        ("openai", "role_tag") => "role",
        ("openai", "content_tag") => "content",
        ("openai", "user_tag") => "user",
        ("openai", "assistant_tag") => "assistant",
        ("openai", "observation_tag") => "tool",
        ("openai", "function_tag") => "function",
        (_, "role_tag") => "from",
        (_, "content_tag") => "value",
        (_, "user_tag") => "human",
        (_, "assistant_tag") => "gpt",
        (_, "observation_tag") => "observation",
        (_, "function_tag") => "function_call",
        (_, "system_tag") => "system",
        _ => throw new ArgumentOutOfRangeException(nameof(tag), tag, "Unknown tag."),
    };

    internal static DatasetEntry FromJson(string name, JsonObject o, string source)
    {
        string? Str(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var file = Str("file_name");
        if (file is null && !o.ContainsKey("hf_hub_url") && !o.ContainsKey("ms_hub_url") && !o.ContainsKey("om_hub_url") && !o.ContainsKey("script_url") && !o.ContainsKey("cloud_file_name"))
            throw new DatasetException($"Dataset '{name}' in {source} has no \"file_name\"; add the data file's name.");
        var formatting = Str("formatting") ?? "alpaca";
        if (!Formats.Contains(formatting))
            throw new DatasetException($"Dataset '{name}' in {source} has formatting \"{formatting}\"; use {string.Join(", ", Formats.SkipLast(1))} or {Formats[^1]}.");
        return new DatasetEntry
        {
            Name = name,
            FileName = file,
            Formatting = formatting,
            Ranking = o["ranking"] is JsonValue r && r.TryGetValue<bool>(out var b) && b,
            NumSamples = o["num_samples"] is JsonValue n && n.TryGetValue<int>(out var i) ? i : null,
            Columns = Map(o["columns"]),
            Tags = Map(o["tags"]),
        };
    }

    static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject obj
            ? obj.Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out _)).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>())
            : [];

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (FileName is not null) o["file_name"] = FileName;
        if (Formatting != "alpaca") o["formatting"] = Formatting;
        if (Ranking) o["ranking"] = true;
        if (NumSamples is int n) o["num_samples"] = n;
        if (Columns.Count > 0) o["columns"] = new JsonObject(Columns.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        if (Tags.Count > 0) o["tags"] = new JsonObject(Tags.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        return o;
    }
}
