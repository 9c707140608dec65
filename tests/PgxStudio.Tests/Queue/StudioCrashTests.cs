using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>kill -9 of a studio in the middle of a train run, then a new studio on the same folder.</summary>
[Collection(StudioCollection.Name)]
public class StudioCrashTests
{
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
        save_steps: 100
        max_steps: 30
        learning_rate: 1.0e-3
        """;

    [Fact]
    public async Task The_next_start_settles_the_dead_studios_job_and_the_resumed_run_has_every_step_once()
    {
        // The run is queued through the studio's own services (as a page would), then served by a studio process.
        await using var files = new StudioComponentContext();
        var root = files.ContentRoot;
        var queued = await files.Services.GetRequiredService<RunService>().EnqueueAsync(RunKind.Train, "crashed", "alice", Config);
        int workerPid;
        await using (var studio = StudioProcess.Start(root))
        {
            await studio.WaitUntilListeningAsync();
            var queries = files.Services.GetRequiredService<RunQueries>();
            var running = await Eventually.Get(() => queries.GetAsync(queued.Id), r => r!.CurrentStep >= 4, TimeSpan.FromSeconds(180), "step 4");
            workerPid = running!.WorkerPid!.Value;
            studio.Crash();
        }
        // Its stdin closed, the worker finishes its step, saves a checkpoint there and exits: steps nobody recorded.
        await Eventually.Get(() => Task.FromResult(WorkerProcess.IsAlive(workerPid, queued.Id)), alive => !alive, TimeSpan.FromSeconds(60), "the orphaned worker to stop");

        await using var next = await StudioInstance.StartAsync(root);
        var probe = new RunsProbe(next);
        var interrupted = await probe.Get(queued.Id);
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        // The dead studio's job no longer shows as Processing (it would for 30 days, the queue's invisibility timeout).
        var storage = next.Get<JobStorage>();
        Assert.Equal(0, storage.GetMonitoringApi().ProcessingCount());
        using (var connection = storage.GetConnection())
            Assert.Equal("Deleted", connection.GetStateData(interrupted.JobId!).Name);

        await next.Get<RunService>().ResumeAsync(queued.Id, new StudioUser("alice", false));
        var finished = await probe.WaitUntilFinished(queued.Id, seconds: 180);
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(Enumerable.Range(1, 30), finished.Metrics.Select(m => m.Step).Order());
        var logged = TrainerLogMetrics.Read(Path.Combine(root, finished.OutputDir));
        Assert.Equal(logged.Select(m => (m.Step, m.Loss)), finished.Metrics.OrderBy(m => m.Step).Select(m => (m.Step, m.Loss)));
    }
}
