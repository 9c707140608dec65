using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PgxStudio.Serving;

namespace PgxStudio.Benchmarks;

/// <summary>
/// Sends one chat completion to an OpenAI-compatible endpoint and times it. Any failure (unreachable, HTTP error,
/// a body that is not SSE/JSON) becomes <see cref="RequestOutcome.Error"/> in one sentence, never an exception;
/// only the caller's cancellation propagates.
/// </summary>
public sealed class ServeRequestSender(HttpClient http, Uri completionsUrl, string model, string? apiKey, int maxTokens, bool stream)
{
    /// <summary>Accepts a base URL (http://host:port or …/v1) or the full …/v1/chat/completions.</summary>
    public static Uri CompletionsUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--url \"{url}\" is not an http(s) URL; use e.g. http://127.0.0.1:8000/v1.");
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal)) return uri;
        var v1 = path.EndsWith("/v1", StringComparison.Ordinal) ? path : path + "/v1";
        return new UriBuilder(uri) { Path = v1 + "/chat/completions" }.Uri;
    }

    public async Task<RequestOutcome> SendAsync(string prompt, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = model,
            ["messages"] = new[] { new { role = "user", content = prompt } },
            ["max_tokens"] = maxTokens,
            ["stream"] = stream,
            ["stream_options"] = new { include_usage = true },
        }.Where(p => stream || p.Key != "stream_options").ToDictionary());
        using var request = new HttpRequestMessage(HttpMethod.Post, completionsUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is { Length: > 0 }) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return Failed($"HTTP {(int)response.StatusCode}: {OpenAiError.Message(await response.Content.ReadAsStringAsync(cancellationToken))}");
            return stream
                ? await ReadStreamAsync(response, prompt, clock, cancellationToken)
                : ReadWhole(await response.Content.ReadAsStringAsync(cancellationToken), prompt, clock);
        }
        catch (HttpRequestException e)
        {
            return Failed($"Cannot reach {completionsUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"No answer from {completionsUrl} within {http.Timeout.TotalSeconds:0} s.");
        }
        catch (IOException e)
        {
            return Failed($"The connection to {completionsUrl} broke: {e.Message}");
        }
    }

    RequestOutcome ReadWhole(string text, string prompt, Stopwatch clock)
    {
        double latency = clock.Elapsed.TotalSeconds;
        try
        {
            using var json = JsonDocument.Parse(text);
            var content = json.RootElement.GetProperty("choices")[0].GetProperty("message");
            var reply = (content.TryGetProperty("content", out var c) ? c.GetString() : null) ?? "";
            if (content.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String) reply = r.GetString() + reply;
            return Counted(prompt, reply, Usage(json.RootElement)) with { Latency = latency, Ttft = latency };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return Failed($"The endpoint did not answer with a chat completion (got \"{OpenAiError.Start(text)}\").");
        }
    }

    async Task<RequestOutcome> ReadStreamAsync(HttpResponseMessage response, string prompt, Stopwatch clock, CancellationToken cancellationToken)
    {
        var media = response.Content.Headers.ContentType?.MediaType;
        if (media != "text/event-stream")
            return Failed($"The endpoint answered a streaming request with {media ?? "no content type"} instead of server-sent events (got \"{OpenAiError.Start(await response.Content.ReadAsStringAsync(cancellationToken))}\").");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var reply = new StringBuilder();
        var gaps = new List<double>();
        double? first = null, last = null;
        int chunks = 0;
        (int, int)? usage = null;
        bool done = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            var data = line[5..].Trim();
            if (data == "[DONE]") { done = true; break; }
            JsonDocument json;
            try { json = JsonDocument.Parse(data); }
            catch (JsonException) { return Failed($"The stream carried data that is not JSON (\"{OpenAiError.Start(data)}\")."); }
            using (json)
            {
                if (json.RootElement.TryGetProperty("error", out var error))
                    return Failed($"The server reported an error mid-stream: {OpenAiError.Message(error)}");
                if (Usage(json.RootElement) is { } u) usage = u;
                if (!json.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0) continue;
                if (!choices[0].TryGetProperty("delta", out var delta)) continue;
                var piece = Text(delta, "content") + Text(delta, "reasoning_content") + Text(delta, "reasoning");
                if (piece.Length == 0) continue;
                double now = clock.Elapsed.TotalSeconds;
                if (last is { } previous) gaps.Add(now - previous);
                first ??= now;
                last = now;
                chunks++;
                reply.Append(piece);
            }
        }
        double latency = clock.Elapsed.TotalSeconds;
        if (!done) return Failed("The stream ended without \"data: [DONE]\".");
        return Counted(prompt, reply.ToString(), usage) with
        {
            Latency = latency, Ttft = first ?? latency, InterTokenLatencies = gaps, ContentChunks = chunks,
        };
    }

    static string Text(JsonElement delta, string name) =>
        delta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    static (int Prompt, int Completion)? Usage(JsonElement root) =>
        root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object
        && u.TryGetProperty("prompt_tokens", out var p) && u.TryGetProperty("completion_tokens", out var c)
            ? (p.GetInt32(), c.GetInt32()) : null;

    static RequestOutcome Counted(string prompt, string reply, (int Prompt, int Completion)? usage) => usage is { } u
        ? new RequestOutcome { InputTokens = u.Prompt, OutputTokens = u.Completion, CountedByServer = true }
        : new RequestOutcome { InputTokens = TokenEstimate.Of(prompt), OutputTokens = TokenEstimate.Of(reply), CountedByServer = false };

    RequestOutcome Failed(string message) => new() { Error = message };
}

/// <summary>Token estimate when the server sends no usage: one token per four characters, rounded up.</summary>
public static class TokenEstimate
{
    public static int Of(string text) => (text.Length + 3) / 4;
}
