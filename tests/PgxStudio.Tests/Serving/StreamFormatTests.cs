using System.Text.Json;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>The SSE wire format other clients (the studio's chat page, curl, vLLM-style tools) rely on.</summary>
public sealed class StreamFormatTests
{
    static async Task<List<JsonElement>> Events(ChatServer server, string body, List<string>? raw = null)
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.PostAsync("v1/chat/completions", ServerTests.Json(body));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", text);
        var blocks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        raw?.AddRange(blocks);
        Assert.All(blocks, b => Assert.StartsWith("data: ", b));
        return blocks.Where(b => b != "data: [DONE]").Select(b => JsonDocument.Parse(b[6..]).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task Role_first_then_content_then_finish_then_usage_only_when_asked()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var with = await Events(server, """{"stream":true,"stream_options":{"include_usage":true},"max_tokens":2,"messages":[{"role":"user","content":"x y z"}]}""");
        Assert.Equal("assistant", with[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(["echo:", " x"], with.Skip(1).Take(2).Select(e => e.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("length", with[3].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, with[4].GetProperty("choices").GetArrayLength());
        Assert.Equal(2, with[4].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(4, with[4].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, with.Count);
        Assert.All(with, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Single(with.Select(e => e.GetProperty("id").GetString()).Distinct());

        var without = await Events(server, """{"stream":true,"messages":[{"role":"user","content":"x y z"}]}""");
        Assert.All(without, e => Assert.False(e.TryGetProperty("usage", out _)));
        Assert.Equal("stop", without[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }
}
