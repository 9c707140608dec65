using System.Text.Json.Nodes;
using PgxStudio.Engine.Templates;

namespace PgxStudio.Engine.Data;

/// <summary>Turns rows of a registered dataset into <see cref="Conversation"/>s (alpaca, sharegpt or openai formatting).</summary>
public static class ConversationReader
{
    public static (List<Conversation> Conversations, List<SkippedExample> Skipped) Read(DatasetEntry entry, IReadOnlyList<JsonObject> rows, string file)
    {
        CheckColumns(entry, rows, file);
        var conversations = new List<Conversation>();
        var skipped = new List<SkippedExample>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (conversation, reason) = entry.Formatting == "alpaca" ? ReadAlpaca(entry, rows[i]) : ReadSharegpt(entry, rows[i]);
            if (conversation is null) skipped.Add(new SkippedExample(entry.Name, i, reason!));
            else conversations.Add(conversation with { Dataset = entry.Name, Index = i });
        }
        return (conversations, skipped);
    }

    /// <summary>A column that no row has is a naming mistake in dataset_info.json, not a bad example.</summary>
    static void CheckColumns(DatasetEntry entry, IReadOnlyList<JsonObject> rows, string file)
    {
        if (rows.Count == 0) return;
        var required = entry.Formatting == "alpaca"
            ? new[] { "prompt" }
            : ["messages"];
        // Optional columns (history, system, tools, media) may be absent from a file, as in LLaMA-Factory's demos.
        string[] optional = ["history", "system", "tools", "images", "videos", "audios", "kto_tag"];
        foreach (var role in required.Concat(entry.Columns.Keys.Except(optional)).Distinct())
        {
            var column = entry.Column(role);
            if (column is null || rows.Any(r => r.ContainsKey(column))) continue;
            throw new DatasetException(
                $"Dataset '{entry.Name}' maps \"{role}\" to column \"{column}\", but no row of {file} has it (columns there: {string.Join(", ", rows[0].Select(p => p.Key))}).");
        }
    }

    static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    static string? Field(DatasetEntry entry, JsonObject row, string role) =>
        entry.Column(role) is { } column ? Text(row[column]) : null;

    static (Conversation?, string?) ReadAlpaca(DatasetEntry entry, JsonObject row)
    {
        var prompt = new List<Message>();
        if (entry.Column("history") is { } historyColumn && row[historyColumn] is JsonArray history)
        {
            foreach (var pair in history)
            {
                if (pair is not JsonArray { Count: 2 } p) return (null, $"\"{historyColumn}\" must hold [prompt, response] pairs");
                prompt.Add(Message.User(Text(p[0]) ?? ""));
                prompt.Add(Message.Assistant(Text(p[1]) ?? ""));
            }
        }
        var query = new List<string>();
        if (Field(entry, row, "prompt") is { Length: > 0 } instruction) query.Add(instruction);
        if (Field(entry, row, "query") is { Length: > 0 } input) query.Add(input);
        prompt.Add(Message.User(string.Join("\n", query)));

        var response = new List<Message>();
        if (entry.Ranking)
        {
            if (Field(entry, row, "chosen") is { } chosen && Field(entry, row, "rejected") is { } rejected)
                response = [Message.Assistant(chosen), Message.Assistant(rejected)];
        }
        else if (entry.Column("response") is { } rc && row[rc] is JsonValue rv && rv.TryGetValue<string>(out var output))
            response.Add(Message.Assistant(output));
        return (new Conversation(prompt, response, Field(entry, row, "system") ?? "", Field(entry, row, "tools") ?? ""), null);
    }

    static (Conversation?, string?) ReadSharegpt(DatasetEntry entry, JsonObject row)
    {
        string roleTag = entry.Tag("role_tag"), contentTag = entry.Tag("content_tag");
        string user = entry.Tag("user_tag"), assistant = entry.Tag("assistant_tag"), observation = entry.Tag("observation_tag"),
            function = entry.Tag("function_tag"), systemTag = entry.Tag("system_tag");
        Role? RoleOf(string? tag) =>
            tag == user ? Role.User : tag == assistant ? Role.Assistant : tag == observation ? Role.Observation
            : tag == function ? Role.Function : tag == systemTag ? Role.System : null;

        var messagesColumn = entry.Column("messages")!;
        if (row[messagesColumn] is not JsonArray raw) return (null, $"\"{messagesColumn}\" is not a list of messages");
        var turns = raw.Select(m => (Role: Text(m?[roleTag]), Content: Text(m?[contentTag]) ?? "")).ToList();

        var system = Field(entry, row, "system") ?? "";
        if (turns.Count > 0 && turns[0].Role == systemTag)
        {
            system = turns[0].Content;
            turns.RemoveAt(0);
        }
        var aligned = new List<Message>();
        for (var i = 0; i < turns.Count; i++)
        {
            var role = RoleOf(turns[i].Role);
            var expected = i % 2 == 0 ? new[] { Role.User, Role.Observation } : [Role.Assistant, Role.Function];
            if (role is not { } r || !expected.Contains(r))
                return (null, $"message {i} has role \"{turns[i].Role}\" where {(i % 2 == 0 ? $"\"{user}\" or \"{observation}\"" : $"\"{assistant}\" or \"{function}\"")} belongs");
            aligned.Add(new Message(r, turns[i].Content));
        }
        if (entry.Ranking)
        {
            if (aligned.Count % 2 == 0) return (null, $"it has {aligned.Count} messages, but ranking data needs an odd number");
            Message? Pick(string col)
            {
                var node = entry.Column(col) is { } c ? row[c] : null;
                var role = RoleOf(Text(node?[roleTag]));
                return role is Role.Assistant or Role.Function ? new Message(role.Value, Text(node?[contentTag]) ?? "") : null;
            }
            if (Pick("chosen") is not { } chosen || Pick("rejected") is not { } rejected)
                return (null, "its chosen or rejected answer is missing or not an assistant message");
            return (new Conversation(aligned, [chosen, rejected], system, Field(entry, row, "tools") ?? ""), null);
        }
        if (aligned.Count == 0 || aligned.Count % 2 != 0) return (null, $"it has {aligned.Count} messages, but needs user/assistant pairs");
        return (new Conversation(aligned[..^1], aligned[^1..], system, Field(entry, row, "tools") ?? ""), null);
    }
}
