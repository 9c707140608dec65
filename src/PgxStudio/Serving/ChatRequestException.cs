namespace PgxStudio.Serving;

/// <summary>
/// A request the server refuses, with the OpenAI error fields: a sentence for the user, the offending
/// parameter (e.g. "messages[1].role") and a short machine code. Becomes an HTTP error, never a crash.
/// </summary>
public sealed class ChatRequestException(string message, string? param = null, string? code = null, int status = 400, string type = "invalid_request_error")
    : Exception(message)
{
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    public int Status { get; } = status;
    public string Type { get; } = type;
}
