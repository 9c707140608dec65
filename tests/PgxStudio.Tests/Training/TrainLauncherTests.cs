using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class TrainLauncherTests
{
    [Fact]
    public async Task Start_queues_a_train_run_on_the_gpu_queue_with_owner_columns_and_position()
    {
        await using var ctx = TrainStudio.Create();
        var launcher = ctx.Services.GetRequiredService<TrainLauncher>();
        var first = await launcher.StartAsync(TrainStudio.SmallForm("first"), new StudioUser("alice", false));
        var second = await launcher.StartAsync(TrainStudio.SmallForm("second"), new StudioUser("bob", false));

        Assert.True(first.Problems.IsEmpty);
        var run = await ctx.Services.GetRequiredService<RunQueries>().GetAsync(second.Run!.Id);
        Assert.Equal((RunKind.Train, "second", "bob", RunStatus.Queued), (run!.Kind, run.Name, run.Owner, run.Status));
        Assert.Equal(("saves/models/pgx-demo-tiny", "lora", "identity"), (run.Model, run.Method, run.Datasets));
        Assert.Equal("saves/pgx-demo-tiny/lora/second", run.OutputDir);
        Assert.Equal(launcher.Yaml(TrainStudio.SmallForm("second")), run.Config);
        Assert.Equal((1, 2), (first.Position, second.Position)); // no job server here: both wait
        var queue = await ctx.Services.GetRequiredService<RunService>().QueueAsync();
        Assert.All(queue, e => Assert.Equal("gpu", e.Queue));
        // As LlamaBoard's runner does, a run started here plots its loss into training_loss.png.
        Assert.True(PgxStudio.Engine.Training.TrainingConfigLoader.Parse(run.Config, "run config").Arguments.PlotLoss);
    }

    [Fact]
    public async Task Nothing_is_queued_for_a_form_with_problems_a_taken_folder_or_no_user_name()
    {
        await using var ctx = TrainStudio.Create();
        var launcher = ctx.Services.GetRequiredService<TrainLauncher>();
        var bad = TrainStudio.SmallForm();
        bad.LoraRank = 0;
        var refused = await launcher.StartAsync(bad, new StudioUser("alice", false));
        Assert.Null(refused.Run);
        Assert.Equal("lora_rank must be at least 1, got 0.", refused.Problems.At("lora_rank"));

        var noName = await Assert.ThrowsAsync<RunRequestException>(() => launcher.StartAsync(TrainStudio.SmallForm(), new StudioUser("", false)));
        Assert.Equal("Enter your name first: every queued job records who queued it.", noName.Message);

        await launcher.StartAsync(TrainStudio.SmallForm("same"), new StudioUser("alice", false));
        var twice = await launcher.StartAsync(TrainStudio.SmallForm("same"), new StudioUser("alice", false));
        Assert.Contains("is taken by a queued run", twice.Problems.At(TrainFields.OutputDir));
        Assert.Single(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
    }

    [Fact]
    public async Task Clone_fills_the_form_from_a_past_runs_config_under_a_new_name()
    {
        await using var ctx = TrainStudio.Create();
        var launcher = ctx.Services.GetRequiredService<TrainLauncher>();
        var form = TrainStudio.SmallForm("original");
        form.LearningRate = 3e-4;
        form.Datasets = ["identity", "instruct_demo"];
        var started = await launcher.StartAsync(form, new StudioUser("alice", false));

        var clone = await launcher.CloneAsync(started.Run!.Id, new DateTime(2025, 1, 2, 3, 4, 5));
        Assert.Equal("train_2025-01-02-03-04-05", clone.OutputName);
        clone.OutputName = "original";
        Assert.Equal(started.Run.Config, launcher.Yaml(clone));

        var selfTest = await ctx.Services.GetRequiredService<RunService>().EnqueueAsync(RunKind.SelfTest, "st", "alice", SelfTestConfig.Default);
        var e = await Assert.ThrowsAsync<RunRequestException>(() => launcher.CloneAsync(selfTest.Id, DateTime.Now));
        Assert.Equal($"Run {selfTest.Id} is a selftest run; only train runs can be cloned here.", e.Message);
    }
}
