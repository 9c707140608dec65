using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Chat;
using PgxStudio.Components.Pages.Chat;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.Tests.Serving;

namespace PgxStudio.Tests.Components;

/// <summary>
/// The Chat page's saved conversations over real SQLite, answered by a real OpenAI-compatible server on loopback
/// (the scripted echo backend, so every answer is known): list, reopen, rename, delete, download, stop mark, owners.
/// </summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public sealed class ChatConversationsTests : IAsyncLifetime
{
    readonly ScriptedChatBackend _backend = new(contextTokens: 400);
    ChatServer _server = null!;
    StudioComponentContext _ctx = null!;

    public async Task InitializeAsync()
    {
        _server = await ChatServer.StartAsync(_backend, new ChatServerOptions());
        _ctx = new StudioComponentContext(owner: "alice");
        _ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(3, _backend.ModelId, new Uri(_server.Url, "v1").ToString(), "alice", DateTime.UtcNow));
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _server.DisposeAsync();
    }

    IRenderedComponent<ChatPage> Render(UserSession? session = null, int? id = null) =>
        _ctx.Render<ChatPage>(p =>
        {
            p.AddCascadingValue(session ?? _ctx.Session);
            if (id is not null) p.Add(c => c.ConversationId, id);
        });

    /// <summary>
    /// Finds and acts in one go on the renderer's own thread: a click on a button found just before a re-render (the
    /// page re-renders by itself after New, and while an answer streams) would name an event handler that is gone.
    /// </summary>
    static void On(IRenderedComponent<ChatPage> page, string selector, Action<AngleSharp.Dom.IElement> act) =>
        page.InvokeAsync(() => act(page.Find(selector))).GetAwaiter().GetResult();

    static void Send(IRenderedComponent<ChatPage> page, string text, int answerIndex)
    {
        On(page, "#chat-input", input => input.Change(text));
        On(page, "#chat-send", send => send.Click());
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"#chat-message-{answerIndex} .chat-copy")), TimeSpan.FromSeconds(20));
    }

    StudioDbContext Db() => _ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContext();

    [Fact]
    public async Task A_conversation_is_saved_as_it_goes_listed_and_continues_after_a_reload()
    {
        var page = Render();
        page.Find("#chat-system").Change("Answer briefly.");
        Send(page, "red green blue", 1);
        Assert.Equal("echo: red green blue", page.Find("#chat-message-1 .chat-text").TextContent);

        page.WaitForAssertion(() => Assert.Contains("red green blue", page.Find(".chat-conversation-title").TextContent));
        Assert.Contains("2 messages", page.Find(".chat-conversation").TextContent);
        var id = page.Services.GetRequiredService<ChatConversation>().Id!.Value;
        Assert.EndsWith($"/chat/{id}", _ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
        using (var db = Db())
        {
            var saved = db.SavedConversations.Include(c => c.Messages).Single();
            Assert.Equal(("alice", "red green blue", "Answer briefly."), (saved.Owner, saved.Title, saved.SystemPrompt));
            Assert.Equal(["user:red green blue", "assistant:echo: red green blue"], saved.Messages.OrderBy(m => m.Position).Select(m => $"{m.Role}:{m.Content}"));
            Assert.Equal("stop", saved.Messages.Single(m => m.Role == "assistant").FinishReason);
        }

        // A reload: a new circuit has an empty conversation and opens the one in the address from the database.
        page.Services.GetRequiredService<ChatConversation>().StartNew();
        page.Dispose();
        var reloaded = Render(id: id);
        reloaded.WaitForAssertion(() => Assert.Equal("echo: red green blue", reloaded.Find("#chat-message-1 .chat-text").TextContent));
        Assert.Equal("red green blue", reloaded.Find("#chat-title").TextContent);
        Assert.Equal("Answer briefly.", reloaded.Find("#chat-system").GetAttribute("value"));

        Send(reloaded, "yellow", 3);
        Assert.Equal(["system", "user", "assistant", "user"], _backend.LastRequest!.Messages.Select(m => m.Role));
        using var after = Db();
        Assert.Equal(4, after.SavedMessages.Count(m => m.ConversationId == id));
    }

    [Fact]
    public async Task Rename_delete_and_download_act_on_the_listed_conversation()
    {
        var page = Render();
        Send(page, "first question here", 1);
        On(page, "#chat-new", button => button.Click());
        Send(page, "second question", 1);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".chat-conversation").Count));
        int firstId, secondId;
        using (var db = Db())
        {
            firstId = db.SavedConversations.Single(c => c.Title == "first question here").Id;
            secondId = db.SavedConversations.Single(c => c.Title == "second question").Id;
        }

        // rename the first (not the open one)
        page.Find($"#chat-conversation-{firstId} .chat-rename").Click();
        page.Find($"#chat-conversation-{firstId} .chat-rename-text input").Input("Colours");
        page.Find($"#chat-conversation-{firstId} .chat-rename-save").Click();
        page.WaitForAssertion(() => Assert.Equal("Colours", page.Find($"#chat-conversation-{firstId} .chat-conversation-title").TextContent));
        using (var db = Db()) Assert.Equal("Colours", db.SavedConversations.Single(c => c.Id == firstId).Title);
        Assert.Equal("second question", page.Find("#chat-title").TextContent);

        // download it: OpenAI messages, the file named after it
        page.Find($"#chat-conversation-{firstId} .chat-download").Click();
        // The page reads the conversation from the database before it hands the file to the browser.
        page.WaitForAssertion(() => Assert.Single(_ctx.JSInterop.Invocations["pgxStudio.download"]));
        var download = _ctx.JSInterop.Invocations["pgxStudio.download"].Single();
        Assert.Equal("Colours.json", download.Arguments[0]);
        Assert.Equal("application/json", download.Arguments[1]);
        using (var json = JsonDocument.Parse((string)download.Arguments[2]!))
        {
            Assert.Equal("scripted-echo", json.RootElement.GetProperty("model").GetString());
            Assert.Equal([("user", "first question here"), ("assistant", "echo: first question here")],
                json.RootElement.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString())));
        }

        // delete the open one: asks first, then it is gone with its messages and the page starts afresh
        page.Find($"#chat-conversation-{secondId} .chat-delete").Click();
        Assert.Contains("Delete “second question” and its 2 messages?", page.Find($"#chat-conversation-{secondId}").TextContent);
        page.Find($"#chat-conversation-{secondId} .chat-delete-confirm").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".chat-conversation")));
        Assert.Empty(page.FindAll(".chat-message"));
        using var after = Db();
        Assert.False(after.SavedConversations.Any(c => c.Id == secondId));
        Assert.False(after.SavedMessages.Any(m => m.ConversationId == secondId));
        Assert.Equal(2, after.SavedMessages.Count(m => m.ConversationId == firstId));
    }

    [Fact]
    public async Task A_stopped_answer_keeps_a_visible_stopped_mark_after_it_is_reopened()
    {
        _backend.PieceDelay = TimeSpan.FromMilliseconds(300);
        var page = Render();
        On(page, "#chat-input", input => input.Change(string.Join(' ', Enumerable.Repeat("slow", 30))));
        On(page, "#chat-send", send => send.Click());
        page.WaitForAssertion(() => Assert.Contains("echo:", page.Find("#chat-message-1 .chat-text").TextContent), TimeSpan.FromSeconds(20));
        page.Find("#chat-stop").Click();
        page.WaitForAssertion(() => Assert.Equal("stopped", page.Find("#chat-message-1 .chat-finish").TextContent));
        _backend.PieceDelay = TimeSpan.Zero;
        var id = page.Services.GetRequiredService<ChatConversation>().Id!.Value;
        await TestSupport.Eventually.Get(() => Task.FromResult(Db().SavedMessages.Count(m => m.ConversationId == id)), n => n == 2, TimeSpan.FromSeconds(10), "the stopped answer to be saved");

        page.Services.GetRequiredService<ChatConversation>().StartNew();
        page.Dispose();
        var reopened = Render(id: id);
        reopened.WaitForAssertion(() => Assert.Equal("stopped", reopened.Find("#chat-message-1 .chat-finish").TextContent));
        Assert.StartsWith("echo:", reopened.Find("#chat-message-1 .chat-text").TextContent);
    }

    [Fact]
    public async Task Each_person_sees_only_their_own_conversations()
    {
        var alice = Render();
        Send(alice, "alice's secret", 1);
        var id = alice.Services.GetRequiredService<ChatConversation>().Id!.Value;
        alice.Services.GetRequiredService<ChatConversation>().StartNew();
        alice.Dispose();

        var bob = Render(new UserSession("bob", isLocal: false, darkMode: false), id: id);
        bob.WaitForAssertion(() => Assert.Equal($"Conversation {id} does not exist or is not yours; pick one from your list.", bob.Find("#chat-problem").TextContent.Trim()));
        Assert.Empty(bob.FindAll(".chat-conversation"));
        Assert.Empty(bob.FindAll(".chat-message"));

        var nobody = Render(new UserSession("", isLocal: true, darkMode: false));
        Assert.NotNull(nobody.Find("#chat-no-name"));
        await Task.CompletedTask;
    }
}
