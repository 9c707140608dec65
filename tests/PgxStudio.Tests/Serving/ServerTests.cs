using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>The server on real loopback Kestrel, driven by the official OpenAI .NET client.</summary>
public sealed class ServerTests
{
    static ChatClient Client(ChatServer server, string model = "scripted-echo", string key = "unused") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });

    [Fact]
    public async Task Lists_the_served_model()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend("my-model"), new ChatServerOptions());
        var models = new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var list = (await models.GetModelsAsync()).Value;
        Assert.Equal(["my-model"], list.Select(m => m.Id));
    }

    [Fact]
    public async Task Answers_a_whole_completion_with_usage()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        ChatCompletion reply = await Client(server).CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage("red green blue")]);
        Assert.Equal("echo: red green blue", reply.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Stop, reply.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, reply.Role);
        Assert.Equal(3 + 4, reply.Usage.InputTokenCount); // "be brief" + 1, "red green blue" + 1: the backend's own count
        Assert.Equal(4, reply.Usage.OutputTokenCount);
        Assert.Equal(11, reply.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Max_tokens_cuts_the_reply_and_says_length()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        ChatCompletion reply = await Client(server).CompleteChatAsync([new UserChatMessage("one two three four five")],
            new ChatCompletionOptions { MaxOutputTokenCount = 3 });
        Assert.Equal("echo: one two", reply.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Length, reply.FinishReason);
        Assert.Equal(3, reply.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Streams_pieces_then_finish_reason_and_usage()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var text = new System.Text.StringBuilder();
        var pieces = 0;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client(server).CompleteChatStreamingAsync([new UserChatMessage("alpha beta gamma")]))
        {
            foreach (var part in update.ContentUpdate)
                if (part.Text.Length > 0) { text.Append(part.Text); pieces++; }
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal("echo: alpha beta gamma", text.ToString());
        Assert.Equal(4, pieces);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage); // the OpenAI client asks for stream_options.include_usage
        Assert.Equal(4, usage!.OutputTokenCount);
        Assert.Equal(4, usage.InputTokenCount);
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_reply_and_reach_the_backend_together()
    {
        var backend = new ScriptedChatBackend(pieceDelay: TimeSpan.FromMilliseconds(5));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        var client = Client(server);
        var prompts = Enumerable.Range(0, 8).Select(i => $"request {i} word{i}a word{i}b").ToArray();
        var replies = await Task.WhenAll(prompts.Select(async (p, i) =>
        {
            if (i % 2 == 0) return (string)(await client.CompleteChatAsync([new UserChatMessage(p)])).Value.Content[0].Text;
            var text = new System.Text.StringBuilder();
            await foreach (var u in client.CompleteChatStreamingAsync([new UserChatMessage(p)]))
                foreach (var part in u.ContentUpdate) text.Append(part.Text);
            return text.ToString();
        }));
        Assert.Equal(prompts.Select(p => "echo: " + p), replies);
        Assert.True(backend.MaxConcurrent > 1, "the server handed requests to the backend one at a time; the backend batches them");
        Assert.Equal(8, backend.Completed);
    }

    [Fact]
    public async Task Reasoning_text_comes_back_as_reasoning_content()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.PostAsync("v1/chat/completions", Json("""{"messages":[{"role":"user","content":"think hard"}]}"""));
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var message = body.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("thinking about it", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("echo: think hard", message.GetProperty("content").GetString());
    }

    internal static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
