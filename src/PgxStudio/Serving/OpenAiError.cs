using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>Errors in OpenAI's shape, {"error":{"message","type","param","code"}}, so clients show the message.</summary>
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
}
