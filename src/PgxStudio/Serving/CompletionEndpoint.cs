using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>
/// What /v1/chat/completions and /v1/completions share: parse and validate (errors before any byte is sent become
/// HTTP 400), then answer whole or as server-sent events, traced in /metrics. A client that disconnects cancels its own
/// generation, which leaves the batch at the next step; a stopping server cancels them all.
/// </summary>
abstract class CompletionEndpoint(IChatBackend backend, ServeMetrics metrics, Action<string>? log, CancellationToken serverStopping)
{
    protected IChatBackend Backend => backend;
    protected Action<string>? Log => log;

    /// <summary>OpenAI's id prefix for this kind of answer: "chatcmpl-" or "cmpl-".</summary>
    protected abstract string IdPrefix { get; }

    protected abstract ChatCompletionRequest Parse(ReadOnlySpan<byte> body);

    protected abstract Task<string> AnswerWholeAsync(HttpContext context, ChatCompletionRequest request, string id, long created, ServeMetrics.RequestTrace trace, CancellationToken ct);

    protected abstract Task<string> StreamAsync(HttpContext context, ChatCompletionRequest request, string id, long created, ServeMetrics.RequestTrace trace, CancellationToken ct);

    public async Task HandleAsync(HttpContext context)
    {
        var trace = metrics.Begin();
        var request = Parse(await OpenAiWire.ReadBodyAsync(context));
        CompletionChecks.Check(backend, request);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        var id = IdPrefix + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string ended = "abort";
        try
        {
            ended = request.Stream
                ? await StreamAsync(context, request, id, created, trace, stop.Token)
                : await AnswerWholeAsync(context, request, id, created, trace, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log?.Invoke(serverStopping.IsCancellationRequested
                ? "generation stopped: the server is shutting down"
                : "generation cancelled: the client disconnected");
        }
        finally
        {
            trace.End(ended);
        }
    }
}
