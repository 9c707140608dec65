using Microsoft.Playwright;
using PgxStudio.Chat;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class ChatTests
{
    /// <summary>A LoRA run small enough to finish in seconds on the demo model.</summary>
    const string TinyLora = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        do_train: true
        finetuning_type: lora
        lora_target: all
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 128
        max_samples: 8
        logging_steps: 1
        per_device_train_batch_size: 2
        gradient_accumulation_steps: 1
        learning_rate: 1.0e-3
        num_train_epochs: 1.0
        """;

    [Fact]
    public async Task The_base_model_with_a_finished_runs_adapter_loads_and_streams_a_reply()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var trained = await studio.Get<RunService>().EnqueueAsync(RunKind.Train, "tiny-identity", "erin", TinyLora);
        var done = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(trained.Id), r => r!.IsFinished, TimeSpan.FromSeconds(180), "the adapter's run to finish");
        Assert.True(done!.Status == RunStatus.Succeeded, $"the adapter's run ended {done.Status}: {done.Error}");

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/chat", owner: "erin");

        // The demo model is offered first; add the finished run's adapter and load.
        await Assertions.Expect(page.Locator("#chat-model-path")).ToHaveValueAsync("saves/models/pgx-demo-tiny");
        await page.Locator("#chat-adapters").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "tiny-identity" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#chat-load").ClickAsync();
        await Assertions.Expect(page.Locator("#chat-loaded")).ToContainTextAsync("run-", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#chat-model-panel")).ToContainTextAsync("+ saves/train/run-");
        var loaded = studio.Get<LoadedChatModels>().Current.Single();
        Assert.Equal("erin", loaded.Owner);

        // A question gets a reply that streams in (the cursor shows while it grows), then settles.
        await Browser.FillFieldAsync(page, "#chat-max-tokens", "24");
        await page.Locator("#chat-input").FillAsync("Who are you?");
        await page.Locator("#chat-send").ClickAsync();
        await Assertions.Expect(page.Locator("#chat-message-0")).ToContainTextAsync("Who are you?");
        await Assertions.Expect(page.Locator("#chat-message-1 .chat-copy")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.NotEmpty((await page.Locator("#chat-message-1").InnerTextAsync()).Trim());
        await Browser.ScreenshotAsync(page, "chat");

        await page.Locator("#chat-unload").ClickAsync();
        await Assertions.Expect(page.Locator("#chat-load")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Empty(studio.Get<LoadedChatModels>().Current);
    }

    [Fact]
    public async Task Two_people_chat_at_once_and_a_reload_continues_the_conversation()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var loader = studio.Get<ChatModelLoader>();
        var run = await loader.LoadAsync(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null), new StudioUser("erin", false));
        await Eventually.Get(() => Task.FromResult(loader.Loaded(run.Id)), m => m is not null, TimeSpan.FromSeconds(90), "the demo model to load");

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var erin = await Browser.OpenAsync(browser, studio, "/chat", owner: "erin");
        var frank = await Browser.OpenAsync(browser, studio, "/chat", owner: "frank");
        foreach (var page in new[] { erin, frank })
        {
            await Browser.FillFieldAsync(page, "#chat-max-tokens", "40");
        }

        // Both ask at the same moment; both answers stream and settle, each in its own conversation.
        await erin.Locator("#chat-input").FillAsync("Erin asks about rivers");
        await frank.Locator("#chat-input").FillAsync("Frank asks about lanterns");
        await Task.WhenAll(erin.Locator("#chat-send").ClickAsync(), frank.Locator("#chat-send").ClickAsync());
        await Assertions.Expect(erin.Locator("#chat-message-1 .chat-copy")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(frank.Locator("#chat-message-1 .chat-copy")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(erin.Locator(".chat-conversation-title")).ToHaveTextAsync("Erin asks about rivers");
        await Assertions.Expect(frank.Locator(".chat-conversation-title")).ToHaveTextAsync("Frank asks about lanterns");
        var answer = await erin.Locator("#chat-message-1 .chat-text").InnerTextAsync();

        // Erin reloads: the address names her conversation, and it comes back from the database.
        await Assertions.Expect(erin).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/chat/\d+$"));
        await erin.ReloadAsync();
        await Browser.WaitForInteractiveAsync(erin);
        await Assertions.Expect(erin.Locator("#chat-message-0")).ToContainTextAsync("Erin asks about rivers");
        Assert.Equal(answer, await erin.Locator("#chat-message-1 .chat-text").InnerTextAsync());
        await Assertions.Expect(erin.Locator("#chat-title")).ToHaveTextAsync("Erin asks about rivers");

        // and continues it
        await erin.Locator("#chat-input").FillAsync("And lakes?");
        await erin.Locator("#chat-send").ClickAsync();
        await Assertions.Expect(erin.Locator("#chat-message-3 .chat-copy")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(erin.Locator(".chat-conversation")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(erin, "chat-conversations");
        var saved = await studio.Get<ChatHistory>().ListAsync("erin");
        Assert.Equal(4, saved.Single().Messages);
        Assert.Single(await studio.Get<ChatHistory>().ListAsync("frank"));
    }
}
