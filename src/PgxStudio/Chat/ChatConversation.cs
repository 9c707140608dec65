using System.Text;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;

namespace PgxStudio.Chat;

/// <summary>One message on the page; an assistant message grows while its answer streams.</summary>
public sealed class ChatMessage(string role, string text = "")
{
    readonly StringBuilder _text = new(text), _thinking = new();

    public string Role { get; } = role;
    public string Text => _text.ToString();
    public string Thinking => _thinking.ToString();
    public bool Streaming { get; internal set; }
    /// <summary>"stop", "length", or "stopped" when its author pressed Stop (the page marks it).</summary>
    public string? FinishReason { get; internal set; }
    public string? Error { get; internal set; }
    /// <summary>Its row in the saved conversation, once saved.</summary>
    public int? SavedId { get; internal set; }

    internal void Add(ChatPiece piece)
    {
        _text.Append(piece.Text);
        _thinking.Append(piece.Thinking);
        if (piece.FinishReason is { } reason) FinishReason = reason;
    }

    internal static ChatMessage From(SavedMessage saved)
    {
        var message = new ChatMessage(saved.Role, saved.Content) { FinishReason = saved.FinishReason, Error = saved.Error, SavedId = saved.Id };
        message._thinking.Append(saved.Thinking);
        return message;
    }
}

/// <summary>
/// One browser's open conversation with the loaded model: send, stop, regenerate, start a new one, open a saved one.
/// Several people share the model but each has their own conversations; once its author has a name, every message
/// and every finished (or stopped) answer is saved as it happens, so a reload or a studio restart continues it.
/// The page only renders what this holds and calls <see cref="Changed"/>'s target.
/// </summary>
public sealed class ChatConversation(ChatClient client, ChatHistory history)
{
    readonly List<ChatMessage> _messages = [];
    CancellationTokenSource? _stop;

    public IReadOnlyList<ChatMessage> Messages => _messages;
    public bool Answering => _stop is not null;
    public string SystemPrompt { get; set; } = "";
    public ChatSampling Sampling { get; set; } = new();
    /// <summary>The saved conversation this is, or null until its first message is saved.</summary>
    public int? Id { get; private set; }
    public string Title { get; private set; } = "";
    string _owner = "";

    /// <summary>Raised as the answer grows (the page throttles its re-render).</summary>
    public event Action? Changed;

    /// <summary>Raised when this conversation is first saved (the page shows it in the list and in the address).</summary>
    public event Action<int>? Saved;

    /// <summary>Opens a saved conversation of <paramref name="user"/>; returns the sentence to show when it cannot.</summary>
    public async Task<string?> OpenAsync(int id, StudioUser user)
    {
        if (Answering) return "Stop the current answer before opening another conversation.";
        var saved = user.HasName ? await history.OpenAsync(id, user.Name) : null;
        if (saved is null) return $"Conversation {id} does not exist or is not yours; pick one from your list.";
        _messages.Clear();
        _messages.AddRange(saved.Messages.Select(ChatMessage.From));
        Id = saved.Id;
        Title = saved.Title;
        _owner = saved.Owner;
        SystemPrompt = saved.SystemPrompt;
        Sampling = new ChatSampling(saved.Temperature, saved.TopP, saved.MaxNewTokens);
        Changed?.Invoke();
        return null;
    }

    /// <summary>Leaves the current conversation (it stays in the list) for an empty one with the same settings.</summary>
    public void StartNew()
    {
        Stop();
        _messages.Clear();
        Id = null;
        Title = "";
        Changed?.Invoke();
    }

    /// <summary>The list renamed the open conversation.</summary>
    public void Renamed(int id, string title)
    {
        if (Id == id) Title = title;
    }

    /// <summary>The list deleted a conversation; if it is the open one, the page continues with an empty one.</summary>
    public void Deleted(int id)
    {
        if (Id == id) StartNew();
    }

    /// <summary>Sends <paramref name="text"/> and streams the answer; returns the sentence to show when it cannot.</summary>
    public async Task<string?> SendAsync(LoadedChatModel? model, string text, StudioUser user)
    {
        if (model is null) return "No model is loaded: choose a model above and press Load first.";
        if (string.IsNullOrWhiteSpace(text)) return "Type a message first.";
        if (Answering) return "Wait for the answer, or stop it, before sending the next message.";
        var message = new ChatMessage("user", text.Trim());
        if (user.HasName)
        {
            bool created = Id is null;
            if (Id is null)
            {
                if (await SaveAsync(() => history.CreateAsync(user.Name, message.Text, SystemPrompt, Sampling, model.ModelId)) is not { } id)
                    return _saveProblem;
                Id = id;
                Title = ChatHistory.TitleFrom(message.Text);
                _owner = user.Name;
            }
            if (await SaveAsync(() => history.AppendAsync(Id.Value, _owner, message, SystemPrompt, Sampling, model.ModelId)) is not { } saved)
                return _saveProblem;
            message.SavedId = saved;
            if (created) Saved?.Invoke(Id.Value);
        }
        _messages.Add(message);
        return await AnswerAsync(model);
    }

    /// <summary>Asks again for the last answer (dropping it), or answers a last question that has none yet.</summary>
    public async Task<string?> RegenerateAsync(LoadedChatModel? model)
    {
        if (model is null) return "No model is loaded: choose a model above and press Load first.";
        if (Answering) return "Stop the current answer before regenerating it.";
        if (_messages.Count == 0) return "There is no answer to regenerate yet.";
        if (_messages[^1].Role == "assistant")
        {
            var dropped = _messages[^1];
            if (Id is { } id && dropped.SavedId is { } savedId) await history.RemoveMessageAsync(id, _owner, savedId);
            _messages.RemoveAt(_messages.Count - 1);
        }
        return await AnswerAsync(model);
    }

    public void Stop() => _stop?.Cancel();

    async Task<string?> AnswerAsync(LoadedChatModel model)
    {
        var turns = Turns();
        var answer = new ChatMessage("assistant") { Streaming = true };
        _messages.Add(answer);
        using var stop = _stop = new CancellationTokenSource();
        Changed?.Invoke();
        string? problem = null;
        try
        {
            await foreach (var piece in client.StreamAsync(model.BaseUrl, model.ModelId, turns, Sampling, stop.Token))
            {
                answer.Add(piece);
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            answer.FinishReason = "stopped";
        }
        catch (ChatClientException e)
        {
            answer.Error = e.Message;
            problem = e.Message;
        }
        finally
        {
            answer.Streaming = false;
            _stop = null;
            Changed?.Invoke();
        }
        // Saved once it ended, however it ended: a reload shows what arrived and the "stopped" mark.
        if (Id is { } id && await SaveAsync(() => history.AppendAsync(id, _owner, answer, SystemPrompt, Sampling, model.ModelId)) is { } savedId)
            answer.SavedId = savedId;
        return problem ?? (answer.SavedId is null && Id is not null ? _saveProblem : null);
    }

    string? _saveProblem;

    /// <summary>Runs a save; a database that refuses becomes a sentence (the conversation goes on in this browser).</summary>
    async Task<int?> SaveAsync(Func<Task<int>> save)
    {
        try
        {
            _saveProblem = null;
            return await save();
        }
        catch (Exception e) when (e is ChatHistoryException or DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
        {
            _saveProblem = e is ChatHistoryException ? e.Message : $"The conversation could not be saved ({e.GetBaseException().Message}); it goes on in this browser only.";
            return null;
        }
    }

    /// <summary>The conversation as the endpoint takes it: the system prompt, then every message that did not fail.</summary>
    List<ChatTurn> Turns()
    {
        var turns = new List<ChatTurn>();
        if (!string.IsNullOrWhiteSpace(SystemPrompt)) turns.Add(new ChatTurn("system", SystemPrompt.Trim()));
        turns.AddRange(_messages.Where(m => m.Error is null && (m.Role == "user" || m.Text.Length > 0)).Select(m => new ChatTurn(m.Role, m.Text)));
        return turns;
    }
}
