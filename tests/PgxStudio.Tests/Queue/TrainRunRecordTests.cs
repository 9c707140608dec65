using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>What a train run leaves behind when its worker dies mid-run and it is resumed: its log, and its metrics.</summary>
[Collection(StudioCollection.Name)]
public class TrainRunRecordTests
{
    // Identity examples, one per step; a checkpoint every 10 steps. Long enough to be killed mid-run however fast the
    // machine steps through the tiny demo model.
    const string Config = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        finetuning_type: lora
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 96
        per_device_train_batch_size: 1
        gradient_accumulation_steps: 1
        logging_steps: 1
        save_steps: 10
        max_steps: 200
        learning_rate: 1.0e-3
        """;

    [Fact]
    public async Task A_killed_workers_log_shows_its_lines_live_and_on_file_and_its_resumed_run_has_one_row_per_step()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var probe = new RunsProbe(studio);
        var run = await runs.EnqueueAsync(RunKind.Train, "killed", "alice", Config);
        var live = new List<string>();
        using var subscription = studio.Get<RunEvents>().Subscribe(run.Id, u => { if (u.LogLine is { } l) lock (live) live.Add(l); });

        // Past checkpoint-10: the resume redoes the steps after the last checkpoint saved.
        var running = await probe.WaitFor(run.Id, r => r.CurrentStep >= 12 && r.WorkerPid is not null && !r.IsFinished, "to pass step 12", seconds: 180);
        PosixSignals.Send(running.WorkerPid!.Value, PosixSignals.SigKill);
        var failed = await probe.WaitUntilFinished(run.Id);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("signal 9", failed.Error);
        int killedAt = failed.Metrics.Max(m => m.Step);
        Assert.InRange(killedAt, 12, 199);

        // The Log tab's two sources: the file it loads, and the lines it was sent live, both up to the failure.
        var tail = studio.Get<RunFiles>().TailLog(failed, 500);
        Assert.Contains(tail, l => l.StartsWith("started: 200 steps", StringComparison.Ordinal));
        Assert.Contains(tail, l => l.StartsWith("saved checkpoint-10 at step 10", StringComparison.Ordinal));
        Assert.Contains(tail, l => l.StartsWith($"step {killedAt}/200: loss ", StringComparison.Ordinal));
        lock (live) Assert.Equal(tail, live);
        var lastSaved = tail.Last(l => l.StartsWith("saved checkpoint-", StringComparison.Ordinal)).Split(' ')[1];

        await runs.ResumeAsync(run.Id, new StudioUser("alice", false));
        var resumed = await probe.WaitUntilFinished(run.Id, seconds: 180);
        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        // One row per step, none missing and none twice, and each holds what the trainer logged for it.
        Assert.Equal(Enumerable.Range(1, 200), resumed.Metrics.Select(m => m.Step).Order());
        var logged = TrainerLogMetrics.Read(Path.Combine(root.Path, resumed.OutputDir));
        Assert.Equal(logged.Select(m => (m.Step, m.Loss)), resumed.Metrics.OrderBy(m => m.Step).Select(m => (m.Step, m.Loss)));
        Assert.Contains(studio.Get<RunFiles>().TailLog(resumed, 1000), l => l.StartsWith($"resumed from {lastSaved}: 200 steps", StringComparison.Ordinal));
    }
}
