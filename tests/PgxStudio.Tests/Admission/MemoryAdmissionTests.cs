using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Admission;
using PgxStudio.Chat;
using PgxStudio.Components.Pages.Queue;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Training;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.Tests.Components;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Admission;

/// <summary>
/// A GPU run waits, queued, while its memory plan does not fit beside the loaded chat models, and starts once one is
/// unloaded: with the studio's real run job, serve worker, train worker and Queue page. Only the machine's free
/// memory is decided by the test (a machine that frees 2 GB when the chat model goes), since a shared test machine's
/// own free memory moves under every test.
/// </summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class MemoryAdmissionTests
{
    const string DemoModelPath = "saves/models/pgx-demo-tiny";

    const string TrainConfig = $"""
        model_name_or_path: {DemoModelPath}
        stage: sft
        finetuning_type: lora
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 64
        per_device_train_batch_size: 1
        gradient_accumulation_steps: 1
        logging_steps: 1
        max_steps: 2
        learning_rate: 1.0e-3
        """;

    /// <summary>Free memory: what the run needs plus 1 GB, less the 2 GB a loaded chat model holds.</summary>
    sealed class TestMachine
    {
        public long NeedBytes;
        public AvailableMemory Free(LoadedChatModels loaded) =>
            new(NeedBytes + 1_000_000_000 - (loaded.Current.Count > 0 ? 2_000_000_000 : 0), "the test's machine");
    }

    static StudioComponentContext Studio(TestMachine machine)
    {
        var ctx = new StudioComponentContext(configure: services => services.AddSingleton(p => new MemoryAdmission(
            p.GetRequiredService<RunMemoryNeed>(), p.GetRequiredService<LoadedChatModels>(), p.GetRequiredService<WorkerRegistry>(),
            p.GetRequiredService<RunRecorder>(), () => machine.Free(p.GetRequiredService<LoadedChatModels>()))));
        DemoModel.Create(Path.Combine(ctx.ContentRoot, DemoModelPath), "tiny", seed: 11);
        return ctx;
    }

    [Fact]
    public async Task A_train_run_needs_its_memory_plan_and_a_predict_run_its_weights_times_the_documented_factor()
    {
        await using var ctx = Studio(new TestMachine());
        var runs = ctx.Services.GetRequiredService<RunService>();
        var need = ctx.Services.GetRequiredService<RunMemoryNeed>();
        var config = ModelConfig.Load(Path.Combine(ctx.ContentRoot, DemoModelPath));

        var train = await runs.EnqueueAsync(RunKind.Train, "t", "alice", TrainConfig);
        var plan = ctx.Services.GetRequiredService<PgxStudio.Training.TrainMemoryPlanner>().Plan(TrainingConfigLoader.ReadUnchecked(TrainConfig, "test")).Plan!;
        Assert.Equal(plan.PeakBytes, need.Bytes(train));

        var predict = await runs.EnqueueAsync(RunKind.Predict, "p", "alice", $"model_name_or_path: {DemoModelPath}\nbf16: true\ndo_predict: true\n");
        long bf16Weights = ModelParameters.Of(config).Sum(p => p.Elements) * 2;
        Assert.Equal((long)(bf16Weights * RunMemoryNeed.PredictFactor), need.Bytes(predict));

        var serve = await runs.EnqueueAsync(RunKind.Serve, "s", "alice", $"model_name_or_path: {DemoModelPath}\n");
        Assert.Null(need.Bytes(serve)); // a chat model is checked when it loads (KvMemory), not held back here
        var unreadable = await runs.EnqueueAsync(RunKind.Train, "u", "alice", "model_name_or_path: saves/models/missing\n");
        Assert.Null(need.Bytes(unreadable)); // no plan: the worker starts and says what is wrong, as before
    }

    [Fact]
    public async Task A_train_run_waits_beside_a_loaded_chat_model_says_why_on_the_Queue_page_and_starts_once_it_is_unloaded()
    {
        var machine = new TestMachine();
        await using var ctx = Studio(machine);
        var runs = ctx.Services.GetRequiredService<RunService>();
        var loaded = ctx.Services.GetRequiredService<LoadedChatModels>();
        var admission = ctx.Services.GetRequiredService<MemoryAdmission>();

        // carol loads the demo model as the Chat page does; the studio's run job supervises its serve worker.
        var serveRun = await ctx.Services.GetRequiredService<ChatModelLoader>().LoadAsync(new ChatModelRequest(DemoModelPath, [], null), new StudioUser("carol", false));
        var serving = Task.Run(() => ctx.Services.GetRequiredService<RunJob>().Execute(serveRun.Id, CancellationToken.None));
        var chatModel = await Eventually.Get(() => Task.FromResult(loaded.Current.FirstOrDefault()), m => m is not null, TimeSpan.FromSeconds(180), "the chat model to load");

        var train = await runs.EnqueueAsync(RunKind.Train, "waits", "alice", TrainConfig);
        machine.NeedBytes = ctx.Services.GetRequiredService<RunMemoryNeed>().Bytes(train)!.Value;
        var training = Task.Run(() => ctx.Services.GetRequiredService<RunJob>().Execute(train.Id, CancellationToken.None));

        var decision = await Eventually.Get(() => Task.FromResult(admission.Waiting.GetValueOrDefault(train.Id)), d => d is not null, TimeSpan.FromSeconds(30), "the train run to wait");
        Assert.False(decision!.Fits);
        var holding = Assert.Single(decision.Holdings);
        Assert.True(holding.Bytes > 0, "the serve worker's resident memory is read from /proc");
        Assert.True(admission.HeldByChatModels() > 0); // what the Train page's refusal counts as freeable
        Assert.Equal(
            $"waiting: chat model {chatModel!.ModelId} (run #{serveRun.Id}, carol) holds {MemoryPlan.Gigabytes(holding.Bytes!.Value)}; " +
            $"needs {MemoryPlan.Gigabytes(machine.NeedBytes)}, {MemoryPlan.Gigabytes(machine.NeedBytes - 1_000_000_000)} free",
            decision.Reason().ToString());
        Assert.False(training.IsCompleted);
        Assert.Equal(RunStatus.Queued, (await ctx.Services.GetRequiredService<RunQueries>().GetAsync(train.Id))!.Status); // waiting, not failed

        // The Queue page says why, and the local admin may unload carol's model from there.
        var page = ctx.Render<QueuePage>(p => p.AddCascadingValue(ctx.Session));
        page.WaitForAssertion(() => Assert.StartsWith("waiting: chat model", page.Find($"#queue-waiting-{train.Id}").TextContent), TimeSpan.FromSeconds(10));
        page.Find(".queue-unload").Click();

        await serving.WaitAsync(TimeSpan.FromSeconds(120)); // the serve worker stopped and its model is forgotten
        Assert.Empty(loaded.Current);
        await training.WaitAsync(TimeSpan.FromSeconds(300)); // and the train run started and ran its two steps
        var finished = (await ctx.Services.GetRequiredService<RunQueries>().GetAsync(train.Id))!;
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Empty(admission.Waiting);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"#queue-waiting-{train.Id}")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_waiting_run_that_is_cancelled_stops_waiting_and_never_starts_a_worker()
    {
        var machine = new TestMachine();
        await using var ctx = Studio(machine);
        var runs = ctx.Services.GetRequiredService<RunService>();
        var admission = ctx.Services.GetRequiredService<MemoryAdmission>();
        // The serve registry's record of a loaded model is enough to hold the run back here.
        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(999, "pgx-demo-tiny", "http://127.0.0.1:9/v1", "carol", DateTime.UtcNow));
        var train = await runs.EnqueueAsync(RunKind.Train, "cancelled", "alice", TrainConfig);
        machine.NeedBytes = ctx.Services.GetRequiredService<RunMemoryNeed>().Bytes(train)!.Value;

        var waiting = admission.WaitUntilFitsAsync(train, CancellationToken.None);
        await Eventually.Get(() => Task.FromResult(admission.Waiting.ContainsKey(train.Id)), w => w, TimeSpan.FromSeconds(30), "the run to wait");
        Assert.Equal($"waiting: chat model pgx-demo-tiny (run #999, carol) holds memory; needs {MemoryPlan.Gigabytes(machine.NeedBytes)}, " +
                     $"{MemoryPlan.Gigabytes(machine.NeedBytes - 1_000_000_000)} free", admission.Waiting[train.Id].Reason().ToString());

        await runs.CancelAsync(train.Id, new StudioUser("alice", false));
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(admission.Waiting);
    }
}
