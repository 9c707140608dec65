using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Queue;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Tests.Components;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class QueuePageTests
{
    [Fact]
    public async Task The_next_runs_estimated_start_follows_the_remaining_time_the_running_worker_reports()
    {
        await using var ctx = new StudioComponentContext();
        var runs = ctx.Services.GetRequiredService<RunService>();
        var recorder = ctx.Services.GetRequiredService<RunRecorder>();
        // A resumed run: it first started two hours ago, but its worker has run this session for 2 minutes.
        var running = await runs.EnqueueAsync(RunKind.Train, "resumed", "alice", "stage: sft\n");
        await recorder.UpdateAsync(running.Id, r => { r.Status = RunStatus.Running; r.StartedAt = DateTime.UtcNow.AddHours(-2); });
        var next = await runs.EnqueueAsync(RunKind.Train, "next", "bob", "stage: sft\n");

        var page = ctx.Render<QueuePage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Equal("after the runs ahead", page.Find($"#queue-estimate-{next.Id}").TextContent.Trim());

        // The worker reports step 20 of 100 after 120 s of its own clock: 480 s left.
        await recorder.RecordEventAsync(running.Id, new WorkerEvent
        {
            Event = WorkerEvent.Names.Step, Step = 20, TotalSteps = 100, Loss = 1.5, ElapsedSeconds = 120, RemainingSeconds = 480,
        });
        var expected = DateTime.UtcNow.AddSeconds(480);

        var estimate = (await runs.QueueAsync()).Single(e => e.Run.Id == next.Id).EstimatedStart;
        Assert.NotNull(estimate);
        Assert.InRange(estimate!.Value, expected.AddSeconds(-30), expected.AddSeconds(30));
        string[] shown = [.. new[] { -1, 0, 1 }.Select(m => expected.AddMinutes(m).ToLocalTime().ToString("HH:mm"))];
        page.WaitForAssertion(() => Assert.Contains(page.Find($"#queue-estimate-{next.Id}").TextContent.Trim(), shown), TimeSpan.FromSeconds(10));
    }
}
