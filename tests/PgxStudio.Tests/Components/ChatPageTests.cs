using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Chat;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Components;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class ChatPageTests
{
    [Fact]
    public async Task Sending_with_no_model_loaded_says_to_load_one_and_keeps_the_message()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<ChatPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.NotNull(page.Find("#chat-load"));

        page.Find("#chat-input").Change("hello");
        page.Find("#chat-send").Click();

        page.WaitForAssertion(() => Assert.Equal("No model is loaded: choose a model above and press Load first.", page.Find("#chat-problem").TextContent.Trim()));
        Assert.Empty(page.FindAll(".chat-message"));
        Assert.Equal("hello", page.Find("#chat-input").GetAttribute("value"));
    }

    [Fact]
    public async Task A_loaded_models_answer_streams_into_the_transcript_and_new_chat_empties_it()
    {
        var model = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        DemoModel.Create(model, "tiny", seed: 7);
        await using var serve = await PgxServe.StartAsync(model);
        await using var ctx = new StudioComponentContext();
        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(9, serve.ModelId, serve.BaseUrl, "bob", DateTime.UtcNow));
        var page = ctx.Render<ChatPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Contains("pgx-demo-tiny", page.Find("#chat-loaded").TextContent);
        Assert.Contains("Loaded by bob", page.Find("#chat-model-panel").TextContent);

        page.Find("#chat-max-tokens").Change("16");
        page.Find("#chat-input").Change("Who are you?");
        page.Find("#chat-send").Click();

        // The user's message shows at once; the answer grows while it streams, then the cursor goes and Copy appears.
        page.WaitForAssertion(() => Assert.Equal("Who are you?", page.Find("#chat-message-0 .chat-text").TextContent));
        page.WaitForAssertion(() =>
        {
            var answer = page.Find("#chat-message-1");
            Assert.DoesNotContain("▍", answer.TextContent);
            Assert.NotNull(answer.QuerySelector(".chat-copy"));
        }, TimeSpan.FromSeconds(60));
        Assert.NotEmpty(page.Find("#chat-message-1 .chat-text").TextContent.Trim());
        Assert.Equal("", page.Find("#chat-input").GetAttribute("value") ?? "");

        page.Find("#chat-new").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".chat-message")));
    }

    [Fact]
    public async Task While_a_model_loads_the_panel_shows_the_serve_workers_last_line()
    {
        await using var ctx = new StudioComponentContext();
        var runs = ctx.Services.GetRequiredService<RunService>();
        var recorder = ctx.Services.GetRequiredService<RunRecorder>();
        var run = await runs.EnqueueAsync(RunKind.Serve, "chat-pgx-demo-tiny", "alice", "model_name_or_path: saves/models/pgx-demo-tiny\n");
        await recorder.UpdateAsync(run.Id, r => { r.Status = RunStatus.Running; r.StartedAt = DateTime.UtcNow; });
        var page = ctx.Render<ChatPage>(p => p.AddCascadingValue(ctx.Session));
        page.WaitForAssertion(() => Assert.Equal("Starting the model server", page.Find("#chat-loading").TextContent.Trim()));

        recorder.PublishLog(run.Id, RunStatus.Running, "loading 2 safetensors shards");

        page.WaitForAssertion(() => Assert.Equal("loading 2 safetensors shards", page.Find("#chat-loading").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("_lastLine", page.Markup);
    }

    [Fact]
    public async Task Loading_with_thinking_off_queues_a_serve_config_that_says_so()
    {
        await using var ctx = PgxStudio.Tests.Training.TrainStudio.Create(); // the demo model where a started studio has it
        var page = ctx.Render<ChatPage>(p => p.AddCascadingValue(ctx.Session));

        page.Find("#chat-thinking").Change(false);
        page.Find("#chat-load").Click();

        var queued = await Eventually.Get(async () => (await ctx.Services.GetRequiredService<RunService>().QueueAsync()).SingleOrDefault()?.Run,
            r => r is not null, TimeSpan.FromSeconds(10), "the serve run to be queued");
        Assert.Equal(RunKind.Serve, queued!.Kind);
        Assert.Contains("enable_thinking: false", queued.Config);
        Assert.False(PgxStudio.Cli.ServeVerb.Spec(WriteConfig(queued.Config), null, null, null).EnableThinking);
    }

    static FileInfo WriteConfig(string yaml)
    {
        var file = new FileInfo(Path.Combine(Directory.CreateTempSubdirectory().FullName, "serve.yaml"));
        File.WriteAllText(file.FullName, yaml);
        return file;
    }
}
