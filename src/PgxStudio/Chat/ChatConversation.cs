using System.Text;
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
    public string? FinishReason { get; internal set; }
    public string? Error { get; internal set; }

    internal void Add(ChatPiece piece)
    {
        _text.Append(piece.Text);
        _thinking.Append(piece.Thinking);
        if (piece.FinishReason is { } reason) FinishReason = reason;
    }
}

/// <summary>
/// One browser's conversation with the loaded model: send, stop, regenerate, clear. Several browsers share the model
/// but each has its own conversation; the page only renders what this holds and calls <see cref="Changed"/>'s target.
/// </summary>
public sealed class ChatConversation(ChatClient client)
{
    readonly List<ChatMessage> _messages = [];
    CancellationTokenSource? _stop;

    public IReadOnlyList<ChatMessage> Messages => _messages;
    public bool Answering => _stop is not null;
    public string SystemPrompt { get; set; } = "";
    public ChatSampling Sampling { get; set; } = new();

    /// <summary>Raised as the answer grows (the page throttles its re-render).</summary>
    public event Action? Changed;

    /// <summary>Sends <paramref name="text"/> and streams the answer; returns the sentence to show when it cannot.</summary>
    public async Task<string?> SendAsync(LoadedChatModel? model, string text)
    {
        if (model is null) return "No model is loaded: choose a model above and press Load first.";
        if (string.IsNullOrWhiteSpace(text)) return "Type a message first.";
        if (Answering) return "Wait for the answer, or stop it, before sending the next message.";
        _messages.Add(new ChatMessage("user", text.Trim()));
        return await AnswerAsync(model);
    }

    /// <summary>Drops the last answer and asks again with the same conversation.</summary>
    public async Task<string?> RegenerateAsync(LoadedChatModel? model)
    {
        if (model is null) return "No model is loaded: choose a model above and press Load first.";
        if (Answering) return "Stop the current answer before regenerating it.";
        if (_messages.Count == 0 || _messages[^1].Role != "assistant") return "There is no answer to regenerate yet.";
        _messages.RemoveAt(_messages.Count - 1);
        return await AnswerAsync(model);
    }

    public void Stop() => _stop?.Cancel();

    public void Clear()
    {
        Stop();
        _messages.Clear();
        Changed?.Invoke();
    }

    async Task<string?> AnswerAsync(LoadedChatModel model)
    {
        var history = Turns();
        var answer = new ChatMessage("assistant") { Streaming = true };
        _messages.Add(answer);
        using var stop = _stop = new CancellationTokenSource();
        Changed?.Invoke();
        try
        {
            await foreach (var piece in client.StreamAsync(model.BaseUrl, model.ModelId, history, Sampling, stop.Token))
            {
                answer.Add(piece);
                Changed?.Invoke();
            }
            return null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            answer.FinishReason = "stopped";
            return null;
        }
        catch (ChatClientException e)
        {
            answer.Error = e.Message;
            return e.Message;
        }
        finally
        {
            answer.Streaming = false;
            _stop = null;
            Changed?.Invoke();
        }
    }

    /// <summary>The conversation as the endpoint takes it: the system prompt, then every finished message.</summary>
    List<ChatTurn> Turns()
    {
        var turns = new List<ChatTurn>();
        if (!string.IsNullOrWhiteSpace(SystemPrompt)) turns.Add(new ChatTurn("system", SystemPrompt.Trim()));
        turns.AddRange(_messages.Where(m => m.Error is null && (m.Role == "user" || m.Text.Length > 0)).Select(m => new ChatTurn(m.Role, m.Text)));
        return turns;
    }
}
