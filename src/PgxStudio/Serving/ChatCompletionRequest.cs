namespace PgxStudio.Serving;

/// <summary>One message of a chat: role is "system", "user", "assistant" or "tool".</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// A validated POST /v1/chat/completions body. Sampling fields are null when the client left them out, so the
/// backend applies the model's own defaults (generation_config.json).
/// </summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    /// <summary>max_completion_tokens or max_tokens.</summary>
    public int? MaxTokens { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public long? Seed { get; init; }
    public bool Stream { get; init; }
    /// <summary>stream_options.include_usage: a last chunk with empty choices and the usage.</summary>
    public bool IncludeUsage { get; init; }
}
