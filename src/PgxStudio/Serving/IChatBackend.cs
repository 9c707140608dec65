namespace PgxStudio.Serving;

/// <summary>
/// What `pgx serve` needs from a loaded model: its id, a check that can refuse a request with a sentence the
/// user sees (HTTP 400), and a stream of text pieces ending in one piece with the finish reason and usage.
/// The server runs one generation at a time, so an implementation need not be thread-safe.
/// </summary>
public interface IChatBackend
{
    /// <summary>The id shown by GET /v1/models and echoed in responses.</summary>
    string ModelId { get; }

    /// <summary>
    /// Null when the request can be served; otherwise one sentence saying what is wrong and what to do
    /// (e.g. "The prompt is 5000 tokens but the model's context is 4096; shorten the messages.").
    /// </summary>
    string? Validate(ChatCompletionRequest request);

    /// <summary>
    /// Generates the reply. Yields text (and reasoning text) pieces as they are decoded; the last piece carries
    /// <see cref="ChatDelta.FinishReason"/> ("stop" or "length") and <see cref="ChatDelta.Usage"/>. Stops promptly
    /// when <paramref name="cancellationToken"/> fires (the client went away or the server is stopping).
    /// </summary>
    IAsyncEnumerable<ChatDelta> StreamAsync(ChatCompletionRequest request, CancellationToken cancellationToken);
}
