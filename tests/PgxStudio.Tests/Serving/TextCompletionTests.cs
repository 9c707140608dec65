using System.Net;
using System.Text.Json;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>POST /v1/completions as OpenAI's legacy clients use it: text in, text out, whole or streamed.</summary>
public sealed class TextCompletionTests
{
    static async Task<(HttpStatusCode Status, JsonElement Body)> Post(ChatServer server, string body, string? key = null)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var response = await http.PostAsync("v1/completions", ServerTests.Json(body));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task A_whole_completion_has_text_finish_reason_and_usage()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var (status, body) = await Post(server, """{"model":"scripted-echo","prompt":"one two three"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("echo: one two three", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(3, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Max_tokens_defaults_to_16_and_echo_repeats_the_prompt()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(contextTokens: 200), new ChatServerOptions());
        var words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        var (_, body) = await Post(server, $$"""{"prompt":["{{words}}"]}""");
        Assert.Equal(16, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var (_, echoed) = await Post(server, """{"prompt":"hi there","echo":true,"max_tokens":2}""");
        Assert.Equal("hi thereecho: hi", echoed.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Streaming_sends_text_chunks_then_the_finish_then_usage_when_asked()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.PostAsync("v1/completions", ServerTests.Json("""{"prompt":"x y","stream":true,"stream_options":{"include_usage":true}}"""));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(b => b != "data: [DONE]")
            .Select(b => JsonDocument.Parse(b[6..]).RootElement.Clone()).ToList();
        Assert.All(events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
        Assert.Equal(["echo:", " x", " y", ""], events.SkipLast(1).Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal("stop", events[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, events[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(3, events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model":"scripted-echo"}""", "prompt", "is required")]
    [InlineData("""{"prompt":["a","b"]}""", "prompt", "one prompt per request")]
    [InlineData("""{"prompt":"a","logprobs":3}""", "logprobs", "not supported")]
    [InlineData("""{"prompt":"a","top_k":-2}""", "top_k", "whole number")]
    [InlineData("""{"prompt":"a","repetition_penalty":0}""", "repetition_penalty", "greater than 0")]
    [InlineData("""{"prompt":"a","seed":"x"}""", "seed", "integer")]
    [InlineData("""{"prompt":"a","stop":7}""", "stop", "string")]
    public async Task Bad_bodies_get_400_with_the_field_named(string body, string param, string says)
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var (status, error) = await Post(server, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, error.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains(says, error.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_api_key_guards_completions_too()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions { ApiKey = "k" });
        var (status, error) = await Post(server, """{"prompt":"a"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_api_key", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Post(server, """{"prompt":"a"}""", key: "k")).Status);
    }
}
