using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

[Collection(StudioCollection.Name)]
public class IdempotencyTests
{
    [Fact]
    public async Task A_second_delivery_of_the_same_job_follows_the_first_instead_of_starting_another_worker()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var probe = new RunsProbe(studio);
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "once", "alice", SelfTestConfig.Create(15, 100));
        var running = await probe.WaitFor(run.Id, r => r.Status == RunStatus.Running && r.WorkerPid is not null, "to start");

        // Hangfire is at-least-once: deliver the job again while it runs, and once more after it finished.
        await studio.Get<RunJob>().Execute(run.Id, CancellationToken.None);
        var finished = await probe.WaitUntilFinished(run.Id);
        await studio.Get<RunJob>().Execute(run.Id, CancellationToken.None);

        var after = await probe.Get(run.Id);
        Assert.Equal(RunStatus.Succeeded, after.Status);
        Assert.Equal(finished.FinishedAt, after.FinishedAt);
        Assert.Equal(running.StartedAt, after.StartedAt);
        Assert.Equal(Enumerable.Range(1, 15), after.Metrics.Select(m => m.Step).Order()); // one worker's steps, once
    }
}
