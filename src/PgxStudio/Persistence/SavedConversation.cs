namespace PgxStudio.Persistence;

/// <summary>
/// One person's conversation with the team's chat model, kept so it survives a reload or a studio restart.
/// <see cref="Owner"/> is the display name the browser uses until accounts exist; an account id can replace it.
/// The sampling settings are the conversation's own: continuing it continues with them.
/// </summary>
public sealed class SavedConversation
{
    public int Id { get; set; }
    public string Owner { get; set; } = "";
    public string Title { get; set; } = "";
    public string SystemPrompt { get; set; } = "";
    /// <summary>The model it last talked to (the served model id).</summary>
    public string? Model { get; set; }
    public double Temperature { get; set; }
    public double TopP { get; set; }
    public int MaxNewTokens { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<SavedMessage> Messages { get; set; } = [];
}
