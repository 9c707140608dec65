using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PgxStudio.Accounts;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.Tests.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Accounts;

/// <summary>
/// The loaded chat model's OpenAI API on the studio's own address (Studio:Auth accounts): each person's API key opens
/// it, a revoked or missing key does not, and answers, streamed or whole, come through from the serve worker.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class OpenAiProxyTests
{
    const string Question = """{"model":"m","messages":[{"role":"user","content":"rivers and lakes"}]}""";

    static HttpClient Client(StudioInstance studio, string? key)
    {
        var http = studio.CreateClient();
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    static async Task<string> Message(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    [Fact]
    public async Task A_members_key_chats_with_the_loaded_model_through_the_studio_and_a_missing_or_revoked_key_does_not()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["Auth"] = "accounts");
        await using var studio = await StudioInstance.StartAsync(root.Path);
        await studio.Get<AccountService>().CreateByOperatorAsync("ada", "correct horse battery", AccountRoles.Member);
        var ada = new StudioUser("ada", false);
        var keys = studio.Get<ApiKeys>();
        var key = await keys.CreateAsync(ada, "notebook");
        using var withKey = Client(studio, key);

        // Nothing loaded yet: one sentence saying what to do, in OpenAI's error shape.
        var none = await withKey.PostAsync("/v1/chat/completions", ServerTests.Json(Question));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        Assert.StartsWith("No chat model is loaded in the studio", await Message(none));

        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend("m"), new ChatServerOptions());
        studio.Get<LoadedChatModels>().Add(new LoadedChatModel(7, "m", new Uri(server.Url, "v1").ToString(), "ada", DateTime.UtcNow));

        using var anonymous = Client(studio, null);
        var refused = await anonymous.PostAsync("/v1/chat/completions", ServerTests.Json(Question));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Send an API key from your studio Profile page", await Message(refused));

        var models = JsonDocument.Parse(await withKey.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("m", models.GetProperty("data")[0].GetProperty("id").GetString());

        var whole = await withKey.PostAsync("/v1/chat/completions", ServerTests.Json(Question));
        whole.EnsureSuccessStatusCode();
        var answer = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("echo: rivers and lakes", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var streamed = await withKey.PostAsync("/v1/chat/completions", ServerTests.Json(Question.Replace("\"model\":\"m\"", "\"model\":\"m\",\"stream\":true")));
        streamed.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var events = (await streamed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var text = string.Concat(events.SkipLast(1).Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices"))
            .Where(c => c.GetArrayLength() > 0).Select(c => c[0].GetProperty("delta").TryGetProperty("content", out var piece) ? piece.GetString() : ""));
        Assert.Equal("echo: rivers and lakes", text);

        await keys.RevokeAsync(ada, (await keys.ListAsync(ada)).Single().Id);
        var revoked = await withKey.PostAsync("/v1/chat/completions", ServerTests.Json(Question));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }
}
