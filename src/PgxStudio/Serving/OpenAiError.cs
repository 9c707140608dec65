using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>
/// Errors in OpenAI's shape, {"error":{"message","type","param","code"}}: written by our server so clients show the
/// message, and read back by our clients (chat, benchmark) from any OpenAI-compatible server.
/// </summary>
public static class OpenAiError
{
    public static object Body(string message, string type, string? param, string? code) =>
        new { error = new { message, type, param, code } };

    public static Task WriteAsync(HttpContext context, ChatRequestException e) =>
        WriteAsync(context, e.Status, e.Message, e.Type, e.Param, e.Code);

    public static async Task WriteAsync(HttpContext context, int status, string message, string type, string? param = null, string? code = null)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(Body(message, type, param, code)), context.RequestAborted);
    }

    /// <summary>The message of a body's "error" ({"error": {"message": …}} or {"error": "…"}); else the body's start.</summary>
    public static string Message(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error))
                return Message(error);
        }
        catch (JsonException) { }
        return Start(body);
    }

    public static string Message(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : Start(error.ToString());

    /// <summary>The start of a text a server sent, to quote it without flooding the page.</summary>
    public static string Start(string text) => text.Length <= 160 ? text.Trim() : text[..160].Trim() + "…";
}
