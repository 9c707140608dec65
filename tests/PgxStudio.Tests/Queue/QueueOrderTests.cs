using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

[Collection(StudioCollection.Name)]
public class QueueOrderTests
{
    static readonly StudioUser Alice = new("alice", false);

    [Fact]
    public async Task A_resumed_run_waits_behind_the_runs_queued_before_its_resume_as_Hangfire_runs_them()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var probe = new RunsProbe(studio);

        var blocker = await runs.EnqueueAsync(RunKind.SelfTest, "blocker", "alice", SelfTestConfig.Create(300, 100));
        await probe.WaitFor(blocker.Id, r => r.Status == RunStatus.Running, "to start");
        var earlier = await runs.EnqueueAsync(RunKind.SelfTest, "earlier", "alice", SelfTestConfig.Create(3, 10));
        await runs.CancelAsync(earlier.Id, Alice);
        var later = await runs.EnqueueAsync(RunKind.SelfTest, "later", "alice", SelfTestConfig.Create(3, 10));
        await runs.ResumeAsync(earlier.Id, Alice); // its new job joins the queue after "later"'s

        var queue = await runs.QueueAsync();
        Assert.Equal([blocker.Id, later.Id, earlier.Id], queue.OrderBy(e => e.Position).Select(e => e.Run.Id));
        Assert.Equal(1, await runs.PositionAsync(later.Id));
        Assert.Equal(2, await runs.PositionAsync(earlier.Id));

        // Hangfire agrees: "later" starts first.
        await runs.CancelAsync(blocker.Id, Alice);
        var a = await probe.WaitUntilFinished(later.Id);
        var b = await probe.WaitUntilFinished(earlier.Id);
        Assert.Equal(RunStatus.Succeeded, a.Status);
        Assert.Equal(RunStatus.Succeeded, b.Status);
        Assert.True(a.StartedAt < b.StartedAt, $"\"later\" started {a.StartedAt:O}, \"earlier\" {b.StartedAt:O}");
    }
}
