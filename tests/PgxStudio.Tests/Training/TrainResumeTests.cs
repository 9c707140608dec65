using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Training;

/// <summary>A queued train run that was cancelled continues from its checkpoint when resumed from the Runs page.</summary>
[Collection(StudioCollection.Name)]
public class TrainResumeTests
{
    const string Config = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        finetuning_type: lora
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 128
        per_device_train_batch_size: 1
        gradient_accumulation_steps: 1
        logging_steps: 1
        save_steps: 2
        max_steps: 400
        learning_rate: 1.0e-3
        """;

    [Fact]
    public async Task A_cancelled_train_run_resumed_from_the_queue_continues_from_its_last_checkpoint()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var user = new StudioUser("alice", false);
        var run = await runs.EnqueueAsync(RunKind.Train, "resumable", "alice", Config);
        var folder = Path.Combine(root.Path, run.OutputDir);
        await Eventually.Get(() => Task.FromResult(Directory.Exists(folder) && Directory.EnumerateDirectories(folder, "checkpoint-*").Any()), c => c, TimeSpan.FromSeconds(120), "a first checkpoint");

        await runs.CancelAsync(run.Id, user);
        var cancelled = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(60), "the run to stop");
        Assert.Equal(RunStatus.Cancelled, cancelled!.Status);
        int stoppedAt = cancelled.CurrentStep!.Value;

        await runs.ResumeAsync(run.Id, user);
        await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.Status == RunStatus.Running && r.CurrentStep > stoppedAt, TimeSpan.FromSeconds(120), "the resumed run to take a step");
        await runs.CancelAsync(run.Id, user);
        // Continued, not restarted: no step was taken twice from the beginning.
        var steps = (await studio.Get<RunQueries>().MetricsAsync(run.Id)).Where(m => m.Loss is not null).Select(m => m.Step).ToList();
        Assert.Equal(1, steps.Count(s => s == 1));
        Assert.Contains(steps, s => s > stoppedAt);
        await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(60), "the run to stop again");
    }
}
