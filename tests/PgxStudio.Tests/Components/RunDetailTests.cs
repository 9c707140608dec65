using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Runs;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Tests.Components;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class RunDetailTests
{
    [Fact]
    public async Task The_run_page_follows_worker_events_from_the_bus()
    {
        await using var ctx = new StudioComponentContext();
        var runs = ctx.Services.GetRequiredService<RunService>();
        var recorder = ctx.Services.GetRequiredService<RunRecorder>();
        var run = await runs.EnqueueAsync(RunKind.SelfTest, "watched", "alice", SelfTestConfig.Default);
        // Two steps happened before the page opened: they come from the database.
        await recorder.UpdateAsync(run.Id, r => { r.Status = RunStatus.Running; r.StartedAt = DateTime.UtcNow; });
        await recorder.RecordEventAsync(run.Id, new WorkerEvent { Event = "step", Step = 1, TotalSteps = 10, Loss = 2.0, LearningRate = 1e-4 });
        await recorder.RecordEventAsync(run.Id, new WorkerEvent { Event = "step", Step = 2, TotalSteps = 10, Loss = 1.8, LearningRate = 1e-4 });

        var page = ctx.Render<RunDetailPage>(p => p.Add(x => x.Id, run.Id).AddCascadingValue(ctx.Session));
        Assert.Equal("2 / 10", page.Find("#progress-step").TextContent);
        Assert.Equal("4", page.Find("#loss-chart").GetAttribute("data-points")); // history: 2 loss + 2 smoothed points

        // Live: three more steps and a log line arrive through the bus.
        for (int step = 3; step <= 5; step++)
            await recorder.RecordEventAsync(run.Id, new WorkerEvent { Event = "step", Step = step, TotalSteps = 10, Loss = 2.0 - step * 0.1, LearningRate = 1e-4 });
        recorder.PublishLog(run.Id, RunStatus.Running, "tokenizing dataset identity_pgx");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("5 / 10", page.Find("#progress-step").TextContent);
            Assert.Equal("50.0%", page.Find("#progress-percent").TextContent);
            Assert.Contains("tokenizing dataset identity_pgx", page.Find("#run-log").TextContent);
        }, TimeSpan.FromSeconds(5));
        // Chart points went to Plotly through ExtendTraces (loss and smoothed loss for each of the 3 steps).
        var extend = ctx.JSInterop.Invocations.Where(i => i.Identifier.Contains("extendTraces", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(extend);
        page.WaitForAssertion(() => Assert.Equal("10", page.Find("#loss-chart").GetAttribute("data-points")), TimeSpan.FromSeconds(5));

        await recorder.UpdateAsync(run.Id, r => { r.Status = RunStatus.Succeeded; r.FinishedAt = DateTime.UtcNow; });
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".run-status-succeeded")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_finished_train_run_shows_the_peak_memory_its_worker_measured()
    {
        await using var ctx = new StudioComponentContext();
        var runs = ctx.Services.GetRequiredService<RunService>();
        var run = await runs.EnqueueAsync(RunKind.Train, "measured", "alice", "model_name_or_path: m\n", "saves/m/lora/measured");
        var folder = ctx.Services.GetRequiredService<RunFiles>().FolderOf(run);
        Directory.CreateDirectory(folder);
        var page = ctx.Render<RunDetailPage>(p => p.Add(x => x.Id, run.Id).AddCascadingValue(ctx.Session));
        Assert.Empty(page.FindAll("#run-peak-memory")); // nothing measured yet

        File.WriteAllText(Path.Combine(folder, "train_results.json"), "{\"epoch\": 1.0, \"peak_memory_bytes\": 2345678901.0, \"train_loss\": 1.5}");
        await ctx.Services.GetRequiredService<RunRecorder>().UpdateAsync(run.Id, r => { r.Status = RunStatus.Succeeded; r.FinishedAt = DateTime.UtcNow; });
        page.WaitForAssertion(() => Assert.Equal("2.3 GB", page.Find("#run-peak-memory").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_missing_run_says_so()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<RunDetailPage>(p => p.Add(x => x.Id, 999).AddCascadingValue(ctx.Session));
        Assert.Contains("Run 999 does not exist", page.Markup);
    }
}
