using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>
/// POST /v1/chat/completions: the messages through the model's chat template, answered as one JSON object or as
/// "chat.completion.chunk" server-sent events ending in "data: [DONE]", reasoning apart from the answer. Requests run
/// concurrently: the backend batches them.
/// </summary>
sealed class ChatCompletionEndpoint(IChatBackend backend, ServeMetrics metrics, Action<string>? log, CancellationToken serverStopping)
    : CompletionEndpoint(backend, metrics, log, serverStopping)
{
    protected override string IdPrefix => "chatcmpl-";

    protected override ChatCompletionRequest Parse(ReadOnlySpan<byte> body) => ChatRequestParser.Parse(body);

    protected override async Task<string> AnswerWholeAsync(HttpContext context, ChatCompletionRequest request, string id, long created, ServeMetrics.RequestTrace trace, CancellationToken ct)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string finish = ChatDelta.Finish.Stop;
        ChatUsage? usage = null;
        int pieces = 0;
        await foreach (var delta in Backend.StreamAsync(request, ct))
        {
            text.Append(delta.Text);
            reasoning.Append(delta.Reasoning);
            if (!string.IsNullOrEmpty(delta.Text) || !string.IsNullOrEmpty(delta.Reasoning))
            {
                pieces++;
                trace.Piece();
            }
            if (delta.FinishReason is { } f) finish = f;
            if (delta.Usage is { } u) usage = u;
        }
        usage ??= new ChatUsage(0, pieces);
        var json = OpenAiWire.Write(w =>
        {
            OpenAiWire.Header(w, id, "chat.completion", created, Backend.ModelId);
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
            OpenAiWire.Usage(w, usage);
        });
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(json, ct);
        return finish;
    }

    protected override async Task<string> StreamAsync(HttpContext context, ChatCompletionRequest request, string id, long created, ServeMetrics.RequestTrace trace, CancellationToken ct)
    {
        OpenAiWire.StartEvents(context);
        await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, w => { w.WriteString("role", "assistant"); w.WriteString("content", ""); }), ct);

        ChatUsage? usage = null;
        string finish = ChatDelta.Finish.Stop;
        int pieces = 0;
        try
        {
            await foreach (var delta in Backend.StreamAsync(request, ct))
            {
                if (!string.IsNullOrEmpty(delta.Text) || !string.IsNullOrEmpty(delta.Reasoning))
                {
                    pieces++;
                    trace.Piece();
                    await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, w =>
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
            Log?.Invoke($"generation failed: {e.Message}");
            await OpenAiWire.SendFailureAsync(context, e, ct);
            return "abort";
        }
        usage ??= new ChatUsage(0, pieces);
        await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, _ => { }, finishReason: finish), ct);
        if (request.IncludeUsage)
            await OpenAiWire.SendAsync(context, OpenAiWire.Write(w =>
            {
                OpenAiWire.Header(w, id, "chat.completion.chunk", created, Backend.ModelId);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                OpenAiWire.Usage(w, usage);
            }), ct);
        await OpenAiWire.SendDoneAsync(context, ct);
        return finish;
    }

    byte[] Chunk(string id, long created, bool includeUsage, Action<Utf8JsonWriter> delta, string? finishReason = null) => OpenAiWire.Write(w =>
    {
        OpenAiWire.Header(w, id, "chat.completion.chunk", created, Backend.ModelId);
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
}
