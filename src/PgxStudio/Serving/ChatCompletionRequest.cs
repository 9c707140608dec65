namespace PgxStudio.Serving;

/// <summary>One message of a chat: role is "system", "user", "assistant" or "tool".</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// A validated POST /v1/chat/completions body, or a /v1/completions body (then <see cref="Prompt"/> is set and
/// <see cref="Messages"/> is empty). Sampling fields are null when the client left them out, so the backend applies
/// the model's own defaults (generation_config.json).
/// </summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    /// <summary>top_k (a vLLM extension): keep the k likeliest tokens; null or 0 = off.</summary>
    public int? TopK { get; init; }
    /// <summary>repetition_penalty (a vLLM extension): 1 = off.</summary>
    public double? RepetitionPenalty { get; init; }
    /// <summary>ignore_eos (a vLLM extension, for benchmarks): generate max_tokens even past the end-of-sequence token.</summary>
    public bool IgnoreEos { get; init; }
    /// <summary>/v1/completions: the raw text to continue, with no chat template.</summary>
    public string? Prompt { get; init; }
    /// <summary>/v1/completions' echo: the reply starts with the prompt.</summary>
    public bool Echo { get; init; }
    /// <summary>max_completion_tokens or max_tokens.</summary>
    public int? MaxTokens { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public long? Seed { get; init; }
    public bool Stream { get; init; }
    /// <summary>stream_options.include_usage: a last chunk with empty choices and the usage.</summary>
    public bool IncludeUsage { get; init; }
}
