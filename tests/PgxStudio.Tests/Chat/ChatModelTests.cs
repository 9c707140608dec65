using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Chat;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Chat;

/// <summary>The chat model's life in a real studio: a serve run with a real `pgx serve` worker and the demo model.</summary>
[Collection(StudioCollection.Name)]
public class ChatModelTests
{
    static readonly StudioUser Alice = new("alice", false);

    [Fact]
    public async Task Loading_starts_a_serve_worker_that_streams_answers_and_unloading_stops_it()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var loader = studio.Get<ChatModelLoader>();
        var loaded = studio.Get<LoadedChatModels>();

        var run = await loader.LoadAsync(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null), Alice);
        Assert.Equal(RunKind.Serve, run.Kind);
        var model = await Eventually.Get(() => Task.FromResult(loader.Loaded(run.Id)), m => m is not null, TimeSpan.FromSeconds(90), "the model to be loaded");
        Assert.Equal(("pgx-demo-tiny", "alice"), (model!.ModelId, model.Owner));
        Assert.StartsWith("http://127.0.0.1:", model.BaseUrl);

        // A second load while one is loaded is refused in one sentence.
        var refused = await Assert.ThrowsAsync<RunRequestException>(() => loader.LoadAsync(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null), Alice));
        Assert.Contains("is already loaded (by alice)", refused.Message);

        // A browser's conversation (one per circuit scope) streams its answer piece by piece.
        using var scope = studio.Services.CreateScope();
        var conversation = scope.ServiceProvider.GetRequiredService<ChatConversation>();
        conversation.Sampling = new ChatSampling(Temperature: 0, MaxNewTokens: 12);
        int changes = 0;
        conversation.Changed += () => Interlocked.Increment(ref changes);
        Assert.Null(await conversation.SendAsync(model, "Who are you?", Alice));
        var answer = conversation.Messages[^1];
        Assert.Equal(("assistant", false, null), (answer.Role, answer.Streaming, answer.Error));
        Assert.NotEmpty(answer.Text + answer.Thinking);
        Assert.True(changes >= 3, $"the answer arrived in {changes} updates; it should stream");

        // Regenerate replaces the last answer; greedy decoding gives the same text again.
        Assert.Null(await conversation.RegenerateAsync(model));
        Assert.Equal(2, conversation.Messages.Count);
        Assert.Equal(answer.Text, conversation.Messages[^1].Text);
        // and the saved conversation holds the question and the new answer only
        var saved = await studio.Get<ChatHistory>().OpenAsync(conversation.Id!.Value, "alice");
        Assert.Equal(["user", "assistant"], saved!.Messages.Select(m => m.Role));
        Assert.Equal(answer.Text, saved.Messages[1].Content);

        await loader.UnloadAsync(run.Id, Alice);
        var finished = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(30), "the serve run to stop");
        Assert.True(finished!.Status == RunStatus.Succeeded, $"an unloaded serve run ends as asked, not failed; it ended {finished.Status}: {finished.Error}");
        Assert.Empty(loaded.Current);

        // With the model gone, sending says so instead of failing.
        Assert.Equal("No model is loaded: choose a model above and press Load first.", await conversation.SendAsync(loader.Loaded(), "hello?", Alice));
    }

    [Fact]
    public async Task A_missing_model_folder_is_refused_before_anything_is_queued_and_a_broken_one_fails_its_run_with_the_reason()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var loader = studio.Get<ChatModelLoader>();

        var missing = await Assert.ThrowsAsync<RunRequestException>(() => loader.LoadAsync(new ChatModelRequest("saves/models/nope", [], null), Alice));
        Assert.Equal("The model folder saves/models/nope does not exist; choose one from the list or type the path of a Hugging Face model folder.", missing.Message);
        Assert.Null(await loader.ActiveAsync());

        Directory.CreateDirectory(Path.Combine(root.Path, "saves/models/empty"));
        var run = await loader.LoadAsync(new ChatModelRequest("saves/models/empty", [], null), Alice);
        // A worker process starts, finds no config.json and fails: allow for a cold start on a loaded 2-core machine.
        var failed = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(180), "the serve run to fail");
        Assert.Equal(RunStatus.Failed, failed!.Status);
        Assert.Contains("config.json", failed.Error);
        Assert.Empty(studio.Get<LoadedChatModels>().Current);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_one_sentence_and_the_question_stays()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var scope = studio.Services.CreateScope();
        var conversation = scope.ServiceProvider.GetRequiredService<ChatConversation>();
        var gone = new LoadedChatModel(1, "m", "http://127.0.0.1:9/v1", "alice", DateTime.UtcNow);
        var problem = await conversation.SendAsync(gone, "hello", Alice);
        Assert.StartsWith("The model server at http://127.0.0.1:9/v1 cannot be reached", problem);
        Assert.Equal("hello", conversation.Messages[0].Text);
        Assert.Equal(problem, conversation.Messages[1].Error);
        // saved too: the question, and the answer that failed with its reason
        var saved = await studio.Get<ChatHistory>().OpenAsync(conversation.Id!.Value, "alice");
        Assert.Equal(["hello", ""], saved!.Messages.Select(m => m.Content));
        Assert.Equal(problem, saved.Messages[1].Error);
    }
}
