using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>
/// POST /v1/chat/completions: parse and validate (errors before any byte is sent become HTTP 400), wait for the
/// generation queue, then answer as one JSON object or as server-sent events ending in "data: [DONE]".
/// A client that disconnects cancels its own generation and frees the queue for the next one.
/// </summary>
sealed class ChatCompletionEndpoint(IChatBackend backend, GenerationQueue queue, Action<string>? log, CancellationToken serverStopping)
{
    public const string QueueWaitHeader = "x-pgx-queue-wait-ms";

    public async Task HandleAsync(HttpContext context)
    {
        var request = ChatRequestParser.Parse(await ReadBodyAsync(context));
        if (request.Model is { Length: > 0 } model && model != backend.ModelId)
            throw new ChatRequestException($"The model \"{model}\" does not exist here; this server serves \"{backend.ModelId}\" (see GET /v1/models).",
                "model", "model_not_found", StatusCodes.Status404NotFound);
        if (backend.Validate(request) is { } problem)
            throw new ChatRequestException(problem, "messages", "invalid_prompt");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        using var turn = await queue.EnterAsync(stop.Token);
        if (turn.Ahead > 0)
            log?.Invoke($"request waited {turn.Waited.TotalMilliseconds:0} ms in the queue behind {turn.Ahead} other request(s)");
        context.Response.Headers[QueueWaitHeader] = ((long)turn.Waited.TotalMilliseconds).ToString();

        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            if (request.Stream) await StreamAsync(context, request, id, created, stop.Token);
            else await AnswerWholeAsync(context, request, id, created, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log?.Invoke(serverStopping.IsCancellationRequested
                ? "generation stopped: the server is shutting down"
                : "generation cancelled: the client disconnected");
        }
    }

    static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ChatRequestException("The request body is too large.", null, "request_too_large", StatusCodes.Status413PayloadTooLarge);
        }
    }

    async Task AnswerWholeAsync(HttpContext context, ChatCompletionRequest request, string id, long created, CancellationToken ct)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string finish = ChatDelta.Finish.Stop;
        ChatUsage? usage = null;
        int pieces = 0;
        await foreach (var delta in backend.StreamAsync(request, ct))
        {
            text.Append(delta.Text);
            reasoning.Append(delta.Reasoning);
            if (!string.IsNullOrEmpty(delta.Text) || !string.IsNullOrEmpty(delta.Reasoning)) pieces++;
            if (delta.FinishReason is { } f) finish = f;
            if (delta.Usage is { } u) usage = u;
        }
        usage ??= new ChatUsage(0, pieces);
        var json = Write(w =>
        {
            Header(w, id, "chat.completion", created);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", text.ToString());
            if (reasoning.Length > 0) w.WriteString("reasoning_content", reasoning.ToString());
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", finish);
            w.WriteEndObject();
            w.WriteEndArray();
            Usage(w, usage);
        });
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, ct);
    }

    async Task StreamAsync(HttpContext context, ChatCompletionRequest request, string id, long created, CancellationToken ct)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await SendAsync(context, Chunk(id, created, request.IncludeUsage, w => { w.WriteString("role", "assistant"); w.WriteString("content", ""); }), ct);

        ChatUsage? usage = null;
        string finish = ChatDelta.Finish.Stop;
        int pieces = 0;
        try
        {
            await foreach (var delta in backend.StreamAsync(request, ct))
            {
                if (!string.IsNullOrEmpty(delta.Text) || !string.IsNullOrEmpty(delta.Reasoning))
                {
                    pieces++;
                    await SendAsync(context, Chunk(id, created, request.IncludeUsage, w =>
                    {
                        if (!string.IsNullOrEmpty(delta.Text)) w.WriteString("content", delta.Text);
                        if (!string.IsNullOrEmpty(delta.Reasoning)) w.WriteString("reasoning_content", delta.Reasoning);
                    }), ct);
                }
                if (delta.FinishReason is { } f) finish = f;
                if (delta.Usage is { } u) usage = u;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Headers are gone: tell the client in the stream, as OpenAI-compatible servers do, then end it.
            log?.Invoke($"generation failed: {e.Message}");
            await SendAsync(context, JsonSerializer.SerializeToUtf8Bytes(OpenAiError.Body($"Generation failed: {e.Message}", "server_error", null, "generation_failed")), ct);
            await SendRawAsync(context, "data: [DONE]\n\n", ct);
            return;
        }
        usage ??= new ChatUsage(0, pieces);
        await SendAsync(context, Chunk(id, created, request.IncludeUsage, _ => { }, finishReason: finish), ct);
        if (request.IncludeUsage)
            await SendAsync(context, Write(w =>
            {
                Header(w, id, "chat.completion.chunk", created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, usage);
            }), ct);
        await SendRawAsync(context, "data: [DONE]\n\n", ct);
    }

    byte[] Chunk(string id, long created, bool includeUsage, Action<Utf8JsonWriter> delta, string? finishReason = null) => Write(w =>
    {
        Header(w, id, "chat.completion.chunk", created);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finishReason is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        if (includeUsage) w.WriteNull("usage");
    });

    void Header(Utf8JsonWriter w, string id, string kind, long created)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", created);
        w.WriteString("model", backend.ModelId);
    }

    static void Usage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteEndObject();
    }

    static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    static async Task SendAsync(HttpContext context, byte[] json, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync("data: "u8.ToArray(), ct);
        await context.Response.Body.WriteAsync(json, ct);
        await context.Response.Body.WriteAsync("\n\n"u8.ToArray(), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    static async Task SendRawAsync(HttpContext context, string text, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
