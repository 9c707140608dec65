using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgxStudio.Jobs;

/// <summary>
/// One line of a worker's stdout: a JSON object with an "event" name. Workers print these; the job supervising
/// the worker records them and publishes them to the pages. Lines that are not JSON are plain log lines.
/// </summary>
public sealed record WorkerEvent
{
    [JsonPropertyName("event")] public string Event { get; init; } = "";
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("step")] public int? Step { get; init; }
    [JsonPropertyName("total_steps")] public int? TotalSteps { get; init; }
    [JsonPropertyName("epoch")] public double? Epoch { get; init; }
    [JsonPropertyName("loss")] public double? Loss { get; init; }
    [JsonPropertyName("eval_loss")] public double? EvalLoss { get; init; }
    [JsonPropertyName("lr")] public double? LearningRate { get; init; }
    [JsonPropertyName("tokens_per_second")] public double? TokensPerSecond { get; init; }
    [JsonPropertyName("elapsed")] public double? ElapsedSeconds { get; init; }
    [JsonPropertyName("remaining")] public double? RemainingSeconds { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("data")] public JsonElement? Data { get; init; }

    public static class Names
    {
        public const string Started = "started";
        public const string Step = "step";
        public const string Eval = "eval";
        public const string Checkpoint = "checkpoint";
        public const string Log = "log";
        public const string Error = "error";
        public const string Finished = "finished";
        public const string Ready = "ready";
    }

    static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable in a terminal: quotes, apostrophes and Chinese stay as they are (still valid JSON).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a stdout line; null when the line is not an event (then it is a log line).</summary>
    public static WorkerEvent? TryParse(string line)
    {
        if (line.Length < 2 || line[0] != '{') return null;
        try
        {
            var e = JsonSerializer.Deserialize<WorkerEvent>(line, Json);
            return string.IsNullOrEmpty(e?.Event) ? null : e;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
