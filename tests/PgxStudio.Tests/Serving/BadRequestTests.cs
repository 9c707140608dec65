using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>Bad input gets an OpenAI-style error naming the field, and the server keeps serving afterwards.</summary>
public sealed class BadRequestTests
{
    [Theory]
    [InlineData("{not json", null, "not valid JSON")]
    [InlineData("[1,2]", null, "JSON object")]
    [InlineData("""{"model":"scripted-echo"}""", "messages", "is required")]
    [InlineData("""{"messages":[]}""", "messages", "is empty")]
    [InlineData("""{"messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role", "\"wizard\"")]
    [InlineData("""{"messages":[{"content":"hi"}]}""", "messages[0].role", "is required")]
    [InlineData("""{"messages":[{"role":"system","content":"hi"}]}""", "messages", "no user message")]
    [InlineData("""{"messages":[{"role":"user","content":42}]}""", "messages[0].content", "string")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature", "between 0 and 2")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature", "number")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"top_p":0}""", "top_p", "greater than 0")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"top_p":1.5}""", "top_p", "at most 1")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens", "at least 1")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":2.5}""", "max_tokens", "whole number")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream", "true or false")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"n":2}""", "n", "must be 1")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"seed":"lucky"}""", "seed", "must be an integer")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"top_k":1.5}""", "top_k", "whole number")]
    public async Task Bad_bodies_get_400_with_the_field_named(string body, string? param, string says)
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.PostAsync("v1/chat/completions", ServerTests.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Error(await response.Content.ReadAsStringAsync());
        Assert.Contains(says, error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.True(error.TryGetProperty("code", out _));
        await StillServes(server);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_with_the_backends_sentence()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(contextTokens: 5), new ChatServerOptions());
        var client = new ChatClient("scripted-echo", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("one two three four five six")]));
        Assert.Equal(400, e.Status);
        Assert.Contains("The prompt is 7 tokens but the context is 5", e.Message);
    }

    [Fact]
    public async Task A_wrong_or_missing_api_key_gets_401_and_the_right_one_works()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions { ApiKey = "s3cret" });
        var options = new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") };
        var wrong = new ChatClient("scripted-echo", new ApiKeyCredential("guess"), options);
        var e = await Assert.ThrowsAsync<ClientResultException>(() => wrong.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, e.Status);
        Assert.Contains("API key", e.Message);

        using var http = new HttpClient { BaseAddress = server.Url };
        var models = await http.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        Assert.Equal("invalid_api_key", Error(await models.Content.ReadAsStringAsync()).GetProperty("code").GetString());

        var right = new ChatClient("scripted-echo", new ApiKeyCredential("s3cret"), options);
        Assert.Equal("echo: hi", (await right.CompleteChatAsync([new UserChatMessage("hi")])).Value.Content[0].Text);
    }

    [Fact]
    public async Task An_unknown_model_or_url_is_an_openai_style_404()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var model = await http.PostAsync("v1/chat/completions", ServerTests.Json("""{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Assert.Contains("scripted-echo", Error(await model.Content.ReadAsStringAsync()).GetProperty("message").GetString());
        var url = await http.GetAsync("v1/embeddings");
        Assert.Equal(HttpStatusCode.NotFound, url.StatusCode);
        Assert.Equal("unknown_url", Error(await url.Content.ReadAsStringAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_backend_failure_mid_stream_ends_the_stream_with_an_error_and_the_server_goes_on()
    {
        var backend = new ScriptedChatBackend { FailAfterPieces = 2 };
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.PostAsync("v1/chat/completions", ServerTests.Json("""{"stream":true,"messages":[{"role":"user","content":"a b c d"}]}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"error\"", text);
        Assert.Contains("scripted failure", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
        var whole = await http.PostAsync("v1/chat/completions", ServerTests.Json("""{"messages":[{"role":"user","content":"a b c d"}]}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, whole.StatusCode);
        Assert.Equal("server_error", Error(await whole.Content.ReadAsStringAsync()).GetProperty("type").GetString());
        backend.FailAfterPieces = null;
        await StillServes(server);
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_generation()
    {
        var backend = new ScriptedChatBackend(pieceDelay: TimeSpan.FromMilliseconds(200));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using (var http = new HttpClient { BaseAddress = server.Url })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = ServerTests.Json("""{"stream":true,"messages":[{"role":"user","content":"w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"}]}"""),
            };
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await stream.ReadLineAsync()); // the role chunk: generation is under way
            response.Dispose();
        }
        await TestSupport.Eventually.Get(() => Task.FromResult(backend.Cancelled), c => c == 1, TimeSpan.FromSeconds(10), "the backend to see the cancellation");
        backend.PieceDelay = TimeSpan.Zero;
        await StillServes(server);
    }

    static JsonElement Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");

    static async Task StillServes(ChatServer server)
    {
        var client = new ChatClient("scripted-echo", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        Assert.Equal("echo: still here", (await client.CompleteChatAsync([new UserChatMessage("still here")])).Value.Content[0].Text);
    }
}
