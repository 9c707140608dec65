using System.Text.Json;

namespace PgxStudio.Serving;

/// <summary>
/// Reads a /v1/chat/completions or /v1/completions body into a <see cref="ChatCompletionRequest"/>, refusing bad input
/// with a <see cref="ChatRequestException"/> that names the field. Unknown fields are ignored, as OpenAI-compatible
/// servers do, so clients that send extra options still work.
/// </summary>
public static class ChatRequestParser
{
    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static ChatCompletionRequest Parse(ReadOnlySpan<byte> body)
    {
        using var document = Read(body, "\"model\" and \"messages\"");
        var root = document.RootElement;
        return Sampling(root) with { Messages = ReadMessages(root) };
    }

    /// <summary>A /v1/completions body: one prompt (a string, or a list holding one string); max_tokens defaults to 16 as OpenAI's does.</summary>
    public static ChatCompletionRequest ParseCompletion(ReadOnlySpan<byte> body)
    {
        using var document = Read(body, "\"model\" and \"prompt\"");
        var root = document.RootElement;
        if (root.TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind is not (JsonValueKind.Null or JsonValueKind.False)
            && !(logprobs.ValueKind == JsonValueKind.Number && logprobs.GetDouble() == 0))
            throw Invalid("logprobs", "is not supported by this server; leave it out");
        var request = Sampling(root);
        return request with
        {
            Prompt = ReadPrompt(root),
            Echo = OptionalBool(root, "echo") ?? false,
            MaxTokens = request.MaxTokens ?? 16,
        };
    }

    static JsonDocument Read(ReadOnlySpan<byte> body, string expected)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new ChatRequestException($"The request body is not valid JSON ({e.Message.Split(" Path:")[0]}).", null, "invalid_json");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ChatRequestException($"The request body must be a JSON object with {expected}.", null, "invalid_json");
        }
        return document;
    }

    /// <summary>The fields chat and text completions share: model, sampling, limits, stop, seed, streaming.</summary>
    static ChatCompletionRequest Sampling(JsonElement root)
    {
        CheckN(root);
        return new ChatCompletionRequest
        {
            Model = OptionalString(root, "model"),
            Messages = [],
            Temperature = OptionalNumber(root, "temperature", 0, 2, "between 0 and 2"),
            TopP = ReadTopP(root),
            TopK = ReadTopK(root),
            RepetitionPenalty = ReadRepetitionPenalty(root),
            MaxTokens = ReadMaxTokens(root),
            Stop = ReadStop(root),
            Seed = root.TryGetProperty("seed", out var seed) && seed.ValueKind != JsonValueKind.Null
                ? (seed.ValueKind == JsonValueKind.Number && seed.TryGetInt64(out var s) ? s : throw Invalid("seed", "must be an integer")) : null,
            Stream = OptionalBool(root, "stream") ?? false,
            IncludeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
                && (OptionalBool(options, "include_usage", "stream_options.include_usage") ?? false),
            IgnoreEos = OptionalBool(root, "ignore_eos") ?? false,
        };
    }

    static string ReadPrompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
            throw Invalid("prompt", "is required: the text to continue");
        if (prompt.ValueKind == JsonValueKind.String) return prompt.GetString()!;
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
            return prompt[0].GetString()!;
        throw Invalid("prompt", "must be a string (or a list holding one string); send one prompt per request");
    }

    static int? ReadTopK(JsonElement root)
    {
        if (!root.TryGetProperty("top_k", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var k) || k < -1)
            throw Invalid("top_k", "must be a whole number: -1 or 0 for all tokens, or at least 1");
        return k <= 0 ? 0 : k;
    }

    static double? ReadRepetitionPenalty(JsonElement root)
    {
        var value = OptionalNumber(root, "repetition_penalty", 0, 10, "greater than 0 and at most 10");
        return value == 0 ? throw Invalid("repetition_penalty", "is 0; it must be greater than 0 (1 = off)") : value;
    }

    static void CheckN(JsonElement root)
    {
        if (root.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null && !(n.TryGetInt32(out var v) && v == 1))
            throw Invalid("n", "must be 1 (this server returns one choice per request)");
    }

    static IReadOnlyList<ChatMessage> ReadMessages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw Invalid("messages", "is required: a list of {\"role\", \"content\"} objects");
        if (messages.GetArrayLength() == 0)
            throw Invalid("messages", "is empty; send at least one user message");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var at = $"messages[{i}]";
            if (m.ValueKind != JsonValueKind.Object) throw Invalid(at, "must be an object with \"role\" and \"content\"");
            if (!m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw Invalid($"{at}.role", "is required (system, user, assistant or tool)");
            var name = role.GetString()!;
            if (!Roles.Contains(name))
                throw Invalid($"{at}.role", $"is \"{name}\", which is not a known role; use system, user, assistant or tool");
            list.Add(new ChatMessage(name == "developer" ? "system" : name, ReadContent(m, at)));
            i++;
        }
        if (list.All(m => m.Role == "system"))
            throw Invalid("messages", "has no user message; add one with role \"user\"");
        return list;
    }

    /// <summary>Content is a string or a list of text parts (images are not supported by a text model).</summary>
    static string ReadContent(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
            throw Invalid($"{at}.content", "must be a string or a list of text parts");
        var text = new System.Text.StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                throw Invalid($"{at}.content", "has a part that is not {\"type\":\"text\",\"text\":...}; this server takes text only");
            text.Append(t.GetString());
        }
        return text.ToString();
    }

    static double? ReadTopP(JsonElement root)
    {
        var value = OptionalNumber(root, "top_p", 0, 1, "greater than 0 and at most 1");
        return value == 0 ? throw Invalid("top_p", "is 0; it must be greater than 0 and at most 1") : value;
    }

    static int? ReadMaxTokens(JsonElement root)
    {
        foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) continue;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < 1)
                throw Invalid(name, "must be a whole number of at least 1");
            return n;
        }
        return null;
    }

    static IReadOnlyList<string> ReadStop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return [];
        if (stop.ValueKind == JsonValueKind.String) return [stop.GetString()!];
        if (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
            return stop.EnumerateArray().Select(s => s.GetString()!).Where(s => s.Length > 0).ToList();
        throw Invalid("stop", "must be a string or a list of strings");
    }

    static string? OptionalString(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid(name, "must be a string");

    static bool? OptionalBool(JsonElement root, string name, string? param = null) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Invalid(param ?? name, "must be true or false");

    static double? OptionalNumber(JsonElement root, string name, double min, double max, string range)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Invalid(name, $"must be a number {range}");
        var x = v.GetDouble();
        return x < min || x > max || double.IsNaN(x) ? throw Invalid(name, $"is {x}; it must be {range}") : x;
    }

    static ChatRequestException Invalid(string param, string what) =>
        new($"\"{param}\" {what}.", param, "invalid_value");
}
