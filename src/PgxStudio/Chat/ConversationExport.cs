using System.Text;
using System.Text.Json;
using PgxStudio.Persistence;

namespace PgxStudio.Chat;

/// <summary>
/// A saved conversation as a file in OpenAI's message form: {"model": …, "messages": [{"role", "content"}, …]},
/// the system prompt first. It is a chat completions request body, so it can be sent to any OpenAI-compatible server
/// to continue the conversation there. Answers that failed are left out; a stopped answer keeps what arrived.
/// </summary>
public static class ConversationExport
{
    public static string Json(SavedConversation conversation)
    {
        var messages = new List<object>();
        if (!string.IsNullOrWhiteSpace(conversation.SystemPrompt)) messages.Add(new { role = "system", content = conversation.SystemPrompt });
        messages.AddRange(conversation.Messages.OrderBy(m => m.Position).Where(m => m.Error is null)
            .Select(m => new { role = m.Role, content = m.Content }));
        return JsonSerializer.Serialize(new { model = conversation.Model, messages }, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The title as a file name: letters, digits, dashes and underscores, then ".json".</summary>
    public static string FileName(SavedConversation conversation)
    {
        var name = new StringBuilder();
        foreach (var c in conversation.Title)
            name.Append(char.IsLetterOrDigit(c) ? c : c is ' ' or '-' or '_' ? '-' : '\0');
        var clean = string.Join('-', name.ToString().Replace("\0", "").Split('-', StringSplitOptions.RemoveEmptyEntries));
        return (clean.Length == 0 ? $"conversation-{conversation.Id}" : clean.Length > 60 ? clean[..60] : clean) + ".json";
    }
}
