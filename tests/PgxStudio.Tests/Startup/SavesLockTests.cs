using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

[Collection(StudioCollection.Name)]
public class SavesLockTests
{
    [Fact]
    public async Task A_second_studio_on_the_same_saves_stops_with_one_sentence_and_leaves_the_first_ones_worker_alone()
    {
        using var root = new TempContentRoot();
        await using var first = await StudioInstance.StartAsync(root.Path);
        var probe = new RunsProbe(first);
        var run = await first.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "long", "alice", SelfTestConfig.Create(600, 100));
        var running = await probe.WaitFor(run.Id, r => r.Status == RunStatus.Running && r.CurrentStep >= 2, "to run");

        await using var second = StudioProcess.Start(root.Path, null, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var line = Assert.Single(second.Output, l => l.StartsWith("pgx: ", StringComparison.Ordinal));
        Assert.Contains($"Another PGX Studio (process {Environment.ProcessId}) is already running on {root.Saves}", line);

        // The first studio's run goes on with the same worker: nobody stopped or re-ran it.
        var later = await probe.WaitFor(run.Id, r => r.CurrentStep >= running.CurrentStep + 3, "to keep running");
        Assert.Equal(RunStatus.Running, later.Status);
        Assert.Equal(running.WorkerPid, later.WorkerPid);
        Assert.True(WorkerProcess.IsAlive(later.WorkerPid!.Value, run.Id));
    }
}
