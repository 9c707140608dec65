using System.Runtime.CompilerServices;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>
/// A test-only backend with no model: it answers by repeating the last user message's words (or a completion's
/// prompt) back, one word per piece ("echo: w1 w2 ..."), counting whitespace-separated words as tokens.
/// Deterministic, so tests can compute the expected reply and usage themselves; it also records how many
/// generations overlapped and were cancelled, and reports them as its load.
/// </summary>
public sealed class ScriptedChatBackend(string modelId = "scripted-echo", int contextTokens = 64, TimeSpan? pieceDelay = null) : IChatBackend
{
    int _active;
    int _maxActive;
    int _cancelled;
    int _completed;

    public string ModelId { get; } = modelId;
    public int MaxModelLen => ContextTokens;
    public PgxStudio.Engine.Inference.SchedulerLoad Load =>
        new(Volatile.Read(ref _active), 0, Volatile.Read(ref _active), 4, 0, 4L * ContextTokens, 0, Volatile.Read(ref _generated));
    int _generated;
    public int ContextTokens { get; } = contextTokens;
    public TimeSpan PieceDelay { get; set; } = pieceDelay ?? TimeSpan.Zero;
    /// <summary>Most generations that ever ran at the same moment.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxActive);
    public int Cancelled => Volatile.Read(ref _cancelled);
    public int Completed => Volatile.Read(ref _completed);
    /// <summary>The last request generated for (tests check the history a client sent).</summary>
    public ChatCompletionRequest? LastRequest { get; private set; }
    /// <summary>When set, generation throws after this many pieces (a backend failure mid-stream).</summary>
    public int? FailAfterPieces { get; set; }

    public static int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static int PromptTokens(ChatCompletionRequest request) =>
        request.Prompt is { } prompt ? CountTokens(prompt) : request.Messages.Sum(m => CountTokens(m.Content) + 1);

    /// <summary>The reply's pieces for a request, before max_tokens cuts it.</summary>
    public static IReadOnlyList<string> ReplyPieces(ChatCompletionRequest request)
    {
        var words = (request.Prompt ?? request.Messages.Last(m => m.Role == "user").Content).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return ["echo:", .. words.Select(w => " " + w)];
    }

    public string? Validate(ChatCompletionRequest request)
    {
        int prompt = PromptTokens(request);
        return prompt > ContextTokens ? $"The prompt is {prompt} tokens but the context is {ContextTokens}; shorten the messages." : null;
    }

    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatCompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LastRequest = request;
        int now = Interlocked.Increment(ref _active);
        int seen;
        while ((seen = Volatile.Read(ref _maxActive)) < now && Interlocked.CompareExchange(ref _maxActive, now, seen) != seen) { }
        try
        {
            var pieces = ReplyPieces(request);
            int limit = Math.Min(request.MaxTokens ?? int.MaxValue, ContextTokens - PromptTokens(request));
            int n = Math.Min(pieces.Count, limit);
            if (request.Prompt is null && request.Messages[^1].Content.StartsWith("think", StringComparison.Ordinal))
                yield return new ChatDelta(Reasoning: "thinking about it");
            for (int i = 0; i < n; i++)
            {
                if (FailAfterPieces == i) throw new InvalidOperationException("scripted failure");
                if (PieceDelay > TimeSpan.Zero) await Delay(cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                Interlocked.Increment(ref _generated);
                yield return new ChatDelta(Text: pieces[i]);
            }
            Interlocked.Increment(ref _completed);
            yield return new ChatDelta(FinishReason: n < pieces.Count ? ChatDelta.Finish.Length : ChatDelta.Finish.Stop,
                Usage: new ChatUsage(PromptTokens(request), n));
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    async Task Delay(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(PieceDelay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
    }
}
