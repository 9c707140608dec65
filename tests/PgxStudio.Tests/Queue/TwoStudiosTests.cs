using Hangfire;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>
/// Hangfire keeps its storage and log provider in statics. Two studios in one process (tests, one after another or
/// side by side) must not reach into each other's queue, and one disposed must not break the other.
/// </summary>
[Collection(StudioCollection.Name)]
public class TwoStudiosTests
{
    [Fact]
    public async Task A_studio_keeps_its_own_queue_and_runs_after_another_studio_in_the_process_is_disposed()
    {
        using var firstRoot = new TempContentRoot();
        using var secondRoot = new TempContentRoot();
        await using var first = await StudioInstance.StartAsync(firstRoot.Path);
        var second = await StudioInstance.StartAsync(secondRoot.Path); // the last to configure Hangfire
        Assert.NotSame(first.Get<JobStorage>(), second.Get<JobStorage>());
        await second.DisposeAsync();

        // What the startup reconciler does: a Hangfire client made after the other studio's logger factory is gone.
        _ = new BackgroundJobClient(first.Get<JobStorage>());
        var run = await first.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "after", "alice", SelfTestConfig.Create(5, 10));
        var done = await new RunsProbe(first).WaitUntilFinished(run.Id);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        // Hangfire moves the job to Succeeded just after the run itself is recorded as finished.
        var succeeded = await Eventually.Get(() => Task.FromResult(first.Get<JobStorage>().GetMonitoringApi().SucceededListCount()),
            count => count == 1, TimeSpan.FromSeconds(30), "Hangfire to count the job as succeeded in this studio's own storage");
        Assert.Equal(1, succeeded);
    }
}
