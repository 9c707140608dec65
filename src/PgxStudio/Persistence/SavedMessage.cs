namespace PgxStudio.Persistence;

/// <summary>
/// A message of a saved conversation, in order of <see cref="Position"/>. An answer keeps its thinking, why it
/// ended ("stop", "length", or "stopped" when its author pressed Stop) and the error that cut it short, if any.
/// </summary>
public sealed class SavedMessage
{
    public int Id { get; set; }
    public int ConversationId { get; set; }
    public int Position { get; set; }
    /// <summary>"user" or "assistant".</summary>
    public string Role { get; set; } = "";
    public string Content { get; set; } = "";
    public string? Thinking { get; set; }
    public string? FinishReason { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
}
