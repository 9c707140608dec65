using PgxStudio.Engine.Inference;

namespace PgxStudio.Serving;

/// <summary>
/// What `pgx serve` needs from a loaded model: its id, a check that can refuse a request with a sentence the
/// user sees (HTTP 400), a stream of text pieces ending in one piece with the finish reason and usage, and how
/// loaded it is. The server calls <see cref="StreamAsync"/> for every request as it arrives, concurrently: an
/// implementation batches or queues them itself.
/// </summary>
public interface IChatBackend
{
    /// <summary>The id shown by GET /v1/models and echoed in responses.</summary>
    string ModelId { get; }

    /// <summary>Tokens of a sequence (prompt + answer) the backend accepts: /v1/models' max_model_len.</summary>
    int MaxModelLen { get; }

    /// <summary>Requests generating and waiting right now, and how full the KV memory is (for /metrics).</summary>
    SchedulerLoad Load { get; }

    /// <summary>
    /// Null when the request can be served; otherwise one sentence saying what is wrong and what to do
    /// (e.g. "The prompt is 5000 tokens but the model's context is 4096; shorten the messages.").
    /// </summary>
    string? Validate(ChatCompletionRequest request);

    /// <summary>
    /// Generates the reply: of <see cref="ChatCompletionRequest.Messages"/> through the chat template, or of the raw
    /// <see cref="ChatCompletionRequest.Prompt"/> for /v1/completions. Yields text (and reasoning text) pieces as they
    /// are decoded; the last piece carries <see cref="ChatDelta.FinishReason"/> ("stop" or "length") and
    /// <see cref="ChatDelta.Usage"/>. Stops promptly when <paramref name="cancellationToken"/> fires (the client went
    /// away or the server is stopping) or when the caller stops enumerating.
    /// </summary>
    IAsyncEnumerable<ChatDelta> StreamAsync(ChatCompletionRequest request, CancellationToken cancellationToken);
}
