using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>
/// POST /v1/completions, OpenAI's text completion: a raw prompt continued with no chat template (max_tokens defaults
/// to 16, echo sends the prompt first), answered whole or as server-sent "text_completion" chunks ending in "data: [DONE]".
/// It joins the same batch as chat requests.
/// </summary>
sealed class TextCompletionEndpoint(IChatBackend backend, ServeMetrics metrics, Action<string>? log, CancellationToken serverStopping)
    : CompletionEndpoint(backend, metrics, log, serverStopping)
{
    protected override string IdPrefix => "cmpl-";

    protected override ChatCompletionRequest Parse(ReadOnlySpan<byte> body) => ChatRequestParser.ParseCompletion(body);

    protected override async Task<string> AnswerWholeAsync(HttpContext context, ChatCompletionRequest request, string id, long created, ServeMetrics.RequestTrace trace, CancellationToken ct)
    {
        var text = new StringBuilder(request.Echo ? request.Prompt : "");
        string finish = ChatDelta.Finish.Stop;
        ChatUsage usage = new(0, 0);
        await foreach (var delta in Backend.StreamAsync(request, ct))
        {
            var piece = delta.Reasoning + delta.Text;
            if (piece.Length > 0)
            {
                text.Append(piece);
                trace.Piece();
            }
            if (delta.FinishReason is { } f) finish = f;
            if (delta.Usage is { } u) usage = u;
        }
        var json = OpenAiWire.Write(w =>
        {
            OpenAiWire.Header(w, id, "text_completion", created, Backend.ModelId);
            w.WriteStartArray("choices");
            Choice(w, text.ToString(), finish);
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
        string finish = ChatDelta.Finish.Stop;
        ChatUsage usage = new(0, 0);
        if (request.Echo) await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, request.Prompt!, null), ct);
        try
        {
            await foreach (var delta in Backend.StreamAsync(request, ct))
            {
                var piece = delta.Reasoning + delta.Text;
                if (piece.Length > 0)
                {
                    trace.Piece();
                    await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, piece, null), ct);
                }
                if (delta.FinishReason is { } f) finish = f;
                if (delta.Usage is { } u) usage = u;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log?.Invoke($"completion failed: {e.Message}");
            await OpenAiWire.SendFailureAsync(context, e, ct);
            return "abort";
        }
        await OpenAiWire.SendAsync(context, Chunk(id, created, request.IncludeUsage, "", finish), ct);
        if (request.IncludeUsage)
            await OpenAiWire.SendAsync(context, OpenAiWire.Write(w =>
            {
                OpenAiWire.Header(w, id, "text_completion", created, Backend.ModelId);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                OpenAiWire.Usage(w, usage);
            }), ct);
        await OpenAiWire.SendDoneAsync(context, ct);
        return finish;
    }

    byte[] Chunk(string id, long created, bool includeUsage, string text, string? finish) => OpenAiWire.Write(w =>
    {
        OpenAiWire.Header(w, id, "text_completion", created, Backend.ModelId);
        w.WriteStartArray("choices");
        Choice(w, text, finish);
        w.WriteEndArray();
        if (includeUsage) w.WriteNull("usage");
    });

    static void Choice(Utf8JsonWriter w, string text, string? finish)
    {
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteString("text", text);
        w.WriteNull("logprobs");
        if (finish is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
    }
}
