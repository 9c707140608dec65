using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using PgxStudio.Serving;

namespace PgxStudio.Chat;

/// <summary>One streamed piece of an answer: visible text, thinking text, or the end with its reason.</summary>
public sealed record ChatPiece(string? Text = null, string? Thinking = null, string? FinishReason = null);

/// <summary>A reply that could not be had, in one sentence for the page.</summary>
public sealed class ChatClientException(string message) : Exception(message);

/// <summary>
/// Talks to any OpenAI-compatible chat endpoint (our `pgx serve`, or vLLM on the machine) with streaming, and turns
/// its server-sent events into pieces. Thinking arrives as `reasoning_content` from servers that split it, or inline
/// as &lt;think&gt; … &lt;/think&gt; from those that don't; both come out as <see cref="ChatPiece.Thinking"/>.
/// </summary>
public sealed class ChatClient(HttpClient http)
{
    public async IAsyncEnumerable<ChatPiece> StreamAsync(string baseUrl, string model, IReadOnlyList<ChatTurn> messages,
        ChatSampling sampling, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = new StringContent(RequestBody(model, messages, sampling), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        }
        catch (HttpRequestException e)
        {
            throw new ChatClientException($"The model server at {baseUrl} cannot be reached ({e.Message}); it may have stopped — load the model again.");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new ChatClientException($"The model server answered {(int)response.StatusCode}: {OpenAiError.Message(await response.Content.ReadAsStringAsync(cancellation))}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
            var thinking = new InlineThinking();
            while (true)
            {
                string? line;
                try { line = await reader.ReadLineAsync(cancellation); }
                catch (IOException e)
                {
                    throw new ChatClientException($"The model server stopped in the middle of the answer ({e.Message}); what arrived is kept.");
                }
                if (line is null) throw new ChatClientException("The model server ended the answer without finishing it; what arrived is kept.");
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = line[5..].Trim();
                if (data == "[DONE]")
                {
                    foreach (var piece in thinking.Flush()) yield return piece;
                    yield break;
                }
                foreach (var piece in Parse(data, thinking)) yield return piece;
            }
        }
    }

    static IEnumerable<ChatPiece> Parse(string data, InlineThinking thinking)
    {
        JsonElement root;
        // Cloned so the pooled document can go back at once: one arrives per streamed token.
        try { using var doc = JsonDocument.Parse(data); root = doc.RootElement.Clone(); }
        catch (JsonException)
        {
            throw new ChatClientException($"The model server sent something that is not an OpenAI stream event: {OpenAiError.Start(data)}");
        }
        if (root.TryGetProperty("error", out var error))
            throw new ChatClientException($"The model server reported an error: {OpenAiError.Message(error)}");
        if (!root.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0) yield break;
        var choice = choices[0];
        if (choice.TryGetProperty("delta", out var delta))
        {
            if (delta.TryGetProperty("reasoning_content", out var r) && r.GetString() is { Length: > 0 } reasoning)
                yield return new ChatPiece(Thinking: reasoning);
            if (delta.TryGetProperty("content", out var c) && c.GetString() is { Length: > 0 } content)
                foreach (var piece in thinking.Split(content)) yield return piece;
        }
        if (choice.TryGetProperty("finish_reason", out var f) && f.GetString() is { } finish)
            yield return new ChatPiece(FinishReason: finish);
    }

    static string RequestBody(string model, IReadOnlyList<ChatTurn> messages, ChatSampling sampling) => JsonSerializer.Serialize(new
    {
        model,
        messages = messages.Select(m => new { role = m.Role, content = m.Content }),
        stream = true,
        temperature = sampling.Temperature,
        top_p = sampling.TopP,
        max_tokens = sampling.MaxNewTokens,
    });
}

/// <summary>A message as the endpoint takes it.</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>The sampling settings the Chat page offers.</summary>
public sealed record ChatSampling(double Temperature = 0.7, double TopP = 0.95, int MaxNewTokens = 512);
