using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>The byte-level pieces both completion endpoints write: JSON objects, usage, server-sent events, the request body.</summary>
static class OpenAiWire
{
    public static async Task<byte[]> ReadBodyAsync(HttpContext context)
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

    public static byte[] Write(Action<Utf8JsonWriter> body)
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

    public static void Header(Utf8JsonWriter w, string id, string kind, long created, string model)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
    }

    public static void Usage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteEndObject();
    }

    public static void StartEvents(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task SendAsync(HttpContext context, byte[] json, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync("data: "u8.ToArray(), ct);
        await context.Response.Body.WriteAsync(json, ct);
        await context.Response.Body.WriteAsync("\n\n"u8.ToArray(), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    public static async Task SendDoneAsync(HttpContext context, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: [DONE]\n\n"), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    /// <summary>Headers are gone once a stream started: a failure is told in the stream, as OpenAI-compatible servers do, then the stream ends.</summary>
    public static async Task SendFailureAsync(HttpContext context, Exception e, CancellationToken ct)
    {
        await SendAsync(context, JsonSerializer.SerializeToUtf8Bytes(OpenAiError.Body($"Generation failed: {e.Message}", "server_error", null, "generation_failed")), ct);
        await SendDoneAsync(context, ct);
    }
}
