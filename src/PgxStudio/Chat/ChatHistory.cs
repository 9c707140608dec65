using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;

namespace PgxStudio.Chat;

/// <summary>A conversation as the list shows it.</summary>
public sealed record ConversationSummary(int Id, string Title, string? Model, int Messages, DateTime UpdatedAt);

/// <summary>
/// Each person's saved chat conversations in SQLite: list, open, create, append, rename, delete. Every call names the
/// owner, and a conversation of someone else is treated as missing, so one person never reads or changes another's.
/// </summary>
public sealed class ChatHistory(IDbContextFactory<StudioDbContext> dbFactory)
{
    public const int TitleLength = 60;

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string owner)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.SavedConversations.AsNoTracking()
            .Where(c => c.Owner == owner)
            .OrderByDescending(c => c.UpdatedAt)
            .Select(c => new ConversationSummary(c.Id, c.Title, c.Model, c.Messages.Count, c.UpdatedAt))
            .ToListAsync();
    }

    /// <summary>The conversation with its messages in order; null when it does not exist or is someone else's.</summary>
    public async Task<SavedConversation?> OpenAsync(int id, string owner)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var conversation = await db.SavedConversations.AsNoTracking().Include(c => c.Messages)
            .FirstOrDefaultAsync(c => c.Id == id && c.Owner == owner);
        conversation?.Messages.Sort((a, b) => a.Position.CompareTo(b.Position));
        return conversation;
    }

    /// <summary>Starts a conversation titled after its first message.</summary>
    public async Task<int> CreateAsync(string owner, string firstMessage, string systemPrompt, ChatSampling sampling, string? model)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var conversation = new SavedConversation
        {
            Owner = owner, Title = TitleFrom(firstMessage), SystemPrompt = systemPrompt, Model = model,
            Temperature = sampling.Temperature, TopP = sampling.TopP, MaxNewTokens = sampling.MaxNewTokens, CreatedAt = now, UpdatedAt = now,
        };
        db.SavedConversations.Add(conversation);
        await db.SaveChangesAsync();
        return conversation.Id;
    }

    /// <summary>Adds a message at the end and records the settings it was sent with; returns the message's id.</summary>
    public async Task<int> AppendAsync(int conversationId, string owner, ChatMessage message, string systemPrompt, ChatSampling sampling, string? model)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var conversation = await db.SavedConversations.FirstOrDefaultAsync(c => c.Id == conversationId && c.Owner == owner)
            ?? throw new ChatHistoryException($"Conversation {conversationId} no longer exists; it may have been deleted in another tab. Start a new chat.");
        int position = await db.SavedMessages.Where(m => m.ConversationId == conversationId).Select(m => (int?)m.Position).MaxAsync() ?? -1;
        var saved = new SavedMessage
        {
            ConversationId = conversationId, Position = position + 1, Role = message.Role, Content = message.Text,
            Thinking = message.Thinking.Length > 0 ? message.Thinking : null, FinishReason = message.FinishReason, Error = message.Error,
            CreatedAt = DateTime.UtcNow,
        };
        db.SavedMessages.Add(saved);
        conversation.UpdatedAt = saved.CreatedAt;
        conversation.SystemPrompt = systemPrompt;
        conversation.Temperature = sampling.Temperature;
        conversation.TopP = sampling.TopP;
        conversation.MaxNewTokens = sampling.MaxNewTokens;
        conversation.Model = model ?? conversation.Model;
        await db.SaveChangesAsync();
        return saved.Id;
    }

    /// <summary>Removes one message (Regenerate drops the answer it replaces).</summary>
    public async Task RemoveMessageAsync(int conversationId, string owner, int messageId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.SavedMessages
            .Where(m => m.Id == messageId && m.ConversationId == conversationId && db.SavedConversations.Any(c => c.Id == conversationId && c.Owner == owner))
            .ExecuteDeleteAsync();
    }

    public async Task RenameAsync(int id, string owner, string title)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new ChatHistoryException("Give the conversation a name.");
        await using var db = await dbFactory.CreateDbContextAsync();
        int changed = await db.SavedConversations.Where(c => c.Id == id && c.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, Shorten(title.Trim(), 200)));
        if (changed == 0) throw new ChatHistoryException($"Conversation {id} no longer exists.");
    }

    /// <summary>Deletes the conversation and its messages.</summary>
    public async Task DeleteAsync(int id, string owner)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.SavedMessages.Where(m => m.ConversationId == id && db.SavedConversations.Any(c => c.Id == id && c.Owner == owner)).ExecuteDeleteAsync();
        await db.SavedConversations.Where(c => c.Id == id && c.Owner == owner).ExecuteDeleteAsync();
    }

    /// <summary>The first line of the first message, cut at a word near <see cref="TitleLength"/> characters.</summary>
    public static string TitleFrom(string firstMessage)
    {
        var line = firstMessage.Trim().Split('\n')[0].Trim();
        return line.Length == 0 ? "Conversation" : Shorten(line, TitleLength);
    }

    static string Shorten(string text, int length)
    {
        if (text.Length <= length) return text;
        int cut = text.LastIndexOf(' ', length - 1);
        return text[..(cut > length / 2 ? cut : length - 1)].TrimEnd() + "…";
    }
}

/// <summary>A saved conversation that cannot be changed as asked, in one sentence for the page.</summary>
public sealed class ChatHistoryException(string message) : Exception(message);
