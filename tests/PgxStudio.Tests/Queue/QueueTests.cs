using Microsoft.Data.Sqlite;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

[Collection(StudioCollection.Name)]
public class QueueTests
{
    static readonly StudioUser Alice = new("alice", false);

    [Fact]
    public async Task Start_creates_the_database_with_its_migrations_in_WAL_mode_and_the_queue_file()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);

        var db = Path.Combine(root.Saves, "studio.db");
        Assert.True(File.Exists(db));
        Assert.True(File.Exists(Path.Combine(root.Saves, "hangfire.db")));
        await using var connection = new SqliteConnection($"Data Source={db}");
        await connection.OpenAsync();
        Assert.Equal("wal", await Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal("InitialRunsAndMetrics", ((string)(await Scalar(connection, "SELECT MigrationId FROM __EFMigrationsHistory"))!)[15..]);
    }

    [Fact]
    public async Task Two_gpu_jobs_run_one_after_the_other_never_together()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var probe = new RunsProbe(studio);

        var first = await runs.EnqueueAsync(RunKind.SelfTest, "first", "alice", SelfTestConfig.Create(10, 100));
        var second = await runs.EnqueueAsync(RunKind.SelfTest, "second", "bob", SelfTestConfig.Create(10, 100));

        // While the first runs, the second must still be waiting.
        await probe.WaitFor(first.Id, r => r.Status == RunStatus.Running, "to start");
        Assert.Equal(RunStatus.Queued, (await probe.Get(second.Id)).Status);
        var queue = await runs.QueueAsync();
        Assert.Equal(1, queue.Single(e => e.Run.Id == second.Id).Position);

        var a = await probe.WaitUntilFinished(first.Id);
        var b = await probe.WaitUntilFinished(second.Id);
        Assert.Equal(RunStatus.Succeeded, a.Status);
        Assert.Equal(RunStatus.Succeeded, b.Status);
        Assert.True(b.StartedAt >= a.FinishedAt, $"second started {b.StartedAt:O} before first finished {a.FinishedAt:O}");

        // The worker's events became metrics: ten steps with a falling loss.
        Assert.Equal(Enumerable.Range(1, 10), a.Metrics.OrderBy(m => m.Step).Select(m => m.Step));
        Assert.True(a.Metrics.MaxBy(m => m.Step)!.Loss < a.Metrics.MinBy(m => m.Step)!.Loss);
        Assert.Equal(10, a.TotalSteps);
        Assert.Equal("bob", b.Owner);
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_it_with_a_checkpoint_and_a_queued_one_never_starts()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var probe = new RunsProbe(studio);

        var running = await runs.EnqueueAsync(RunKind.SelfTest, "long", "alice", SelfTestConfig.Create(400, 100));
        var waiting = await runs.EnqueueAsync(RunKind.SelfTest, "waiting", "alice", SelfTestConfig.Create(5, 10));
        await probe.WaitFor(running.Id, r => r.CurrentStep >= 3, "to reach step 3");

        await runs.CancelAsync(waiting.Id, Alice);
        await runs.CancelAsync(running.Id, Alice);

        var stopped = await probe.WaitUntilFinished(running.Id);
        Assert.Equal(RunStatus.Cancelled, stopped.Status);
        Assert.True(stopped.CurrentStep < 400);
        Assert.True(File.Exists(Path.Combine(root.Path, stopped.OutputDir, "checkpoint.json")));

        var never = await probe.Get(waiting.Id);
        Assert.Equal(RunStatus.Cancelled, never.Status);
        Assert.Null(never.StartedAt);
    }

    [Fact]
    public async Task Only_the_owner_or_a_local_admin_may_cancel()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var blocker = await runs.EnqueueAsync(RunKind.SelfTest, "blocker", "alice", SelfTestConfig.Create(300, 100));
        var run = await runs.EnqueueAsync(RunKind.SelfTest, "mine", "alice", SelfTestConfig.Create(5, 10));

        var refused = await Assert.ThrowsAsync<RunRequestException>(() => runs.CancelAsync(run.Id, new StudioUser("mallory", false)));
        Assert.Contains("belongs to alice", refused.Message);
        await runs.CancelAsync(run.Id, new StudioUser("someone at the machine", true));
        await runs.CancelAsync(blocker.Id, Alice);
        Assert.Equal(RunStatus.Cancelled, (await new RunsProbe(studio).Get(run.Id)).Status);
    }

    [Fact]
    public async Task A_killed_worker_fails_its_run_and_the_next_queued_job_still_runs()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var runs = studio.Get<RunService>();
        var probe = new RunsProbe(studio);

        var victim = await runs.EnqueueAsync(RunKind.SelfTest, "victim", "alice", SelfTestConfig.Create(400, 100));
        var next = await runs.EnqueueAsync(RunKind.SelfTest, "next", "alice", SelfTestConfig.Create(5, 10));
        var running = await probe.WaitFor(victim.Id, r => r.WorkerPid is not null && r.CurrentStep >= 2, "to have a worker");

        Assert.True(PosixSignals.Send(running.WorkerPid!.Value, PosixSignals.SigKill));

        var dead = await probe.WaitUntilFinished(victim.Id);
        Assert.Equal(RunStatus.Failed, dead.Status);
        Assert.Contains("killed by signal 9", dead.Error);
        Assert.Equal(RunStatus.Succeeded, (await probe.WaitUntilFinished(next.Id)).Status);
    }

    [Fact]
    public async Task A_failing_worker_records_its_last_error_line()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "doomed", "alice", SelfTestConfig.Create(10, 10, failAtStep: 4));

        var failed = await new RunsProbe(studio).WaitUntilFinished(run.Id);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("Self-test failed on purpose at step 4 (fail_at_step).", failed.Error);
        Assert.Equal(3, failed.CurrentStep);
        Assert.Contains("fail_at_step", File.ReadAllText(Path.Combine(root.Path, failed.OutputDir, "worker.log")));
    }

    [Fact]
    public async Task After_a_restart_the_queued_job_runs_and_the_interrupted_run_resumes_from_its_checkpoint()
    {
        using var root = new TempContentRoot();
        int interruptedId, queuedId;
        await using (var first = await StudioInstance.StartAsync(root.Path))
        {
            var runs = first.Get<RunService>();
            interruptedId = (await runs.EnqueueAsync(RunKind.SelfTest, "long", "alice", SelfTestConfig.Create(60, 100))).Id;
            queuedId = (await runs.EnqueueAsync(RunKind.SelfTest, "queued", "bob", SelfTestConfig.Create(5, 10))).Id;
            await new RunsProbe(first).WaitFor(interruptedId, r => r.CurrentStep >= 3, "to reach step 3");
        } // the studio stops here, with one run in flight and one waiting

        await using var second = await StudioInstance.StartAsync(root.Path);
        var probe = new RunsProbe(second);
        var interrupted = await probe.Get(interruptedId);
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Equal(RunStatus.Succeeded, (await probe.WaitUntilFinished(queuedId)).Status);

        Assert.InRange(interrupted.CurrentStep!.Value, 3, 59);
        await second.Get<RunService>().ResumeAsync(interruptedId, Alice);
        var resumed = await probe.WaitUntilFinished(interruptedId);
        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        // The resumed worker continued after its checkpoint: every step exactly once, none started over.
        Assert.Equal(Enumerable.Range(1, 60), resumed.Metrics.Select(m => m.Step).Order());
    }

    static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
