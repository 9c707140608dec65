using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PgxStudio.Components.Pages.Overview;
using PgxStudio.Hosting;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;
using PgxStudio.Tests.Training;
using PgxStudio.Training;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>
/// A full disk under saves/: what could not be recorded is said in one sentence, and a run whose progress can no
/// longer be recorded ends as Failed, with the reason, as soon as the database takes writes again.
/// </summary>
[Collection(StudioCollection.Name)]
public class DiskFullTests
{
    static FailingDisk DiskOf(StudioComponentContext ctx) => ctx.Services.GetRequiredService<FailingDisk>();

    static StudioComponentContext WithFullableDisk(string owner = "carol") => new(owner, configure: services =>
    {
        services.AddSingleton(provider => new FailingDisk(provider.GetRequiredService<StudioPaths>().Database));
        services.ConfigureDbContext<StudioDbContext>((provider, o) => o.AddInterceptors(provider.GetRequiredService<FailingDisk>()));
    });

    [Fact]
    public async Task Queue_a_self_test_on_a_full_disk_says_so_in_one_sentence_and_the_page_stays_up()
    {
        await using var ctx = WithFullableDisk();
        DiskOf(ctx).Fill();

        // As the disk fills, the next run that needs a page of its own cannot be written.
        var runs = ctx.Services.GetRequiredService<RunService>();
        RunRequestException? refused = null;
        for (int i = 0; i < 500 && refused is null; i++)
        {
            try { await runs.EnqueueAsync(RunKind.SelfTest, "", "carol", SelfTestConfig.Default); }
            catch (RunRequestException e) { refused = e; }
        }
        Assert.NotNull(refused);
        Assert.Equal("The new run could not be recorded: the disk is full; free some space (or fix the disk) and try again.", refused.Message);

        var page = ctx.Render<Overview>(p => p.AddCascadingValue(ctx.Session));
        await page.InvokeAsync(() => page.Find("#queue-selftest").ClickAsync(new()));
        var shown = ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message.ToString()).ToList();
        Assert.Contains(refused.Message, shown);
        Assert.Contains("Recent runs", page.Markup); // rendered, not torn down

        DiskOf(ctx).Repair();
        await page.InvokeAsync(() => page.Find("#queue-selftest").ClickAsync(new()));
        page.WaitForAssertion(() => Assert.Contains(ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message.ToString()!.Contains("queued as run")));
    }

    [Fact]
    public async Task Start_on_the_train_page_on_a_full_disk_is_one_sentence()
    {
        await using var ctx = WithFullableDisk();
        Engine.Models.Demo.DemoModel.Create(ctx.Services.GetRequiredService<StudioPaths>().DefaultModel, "tiny");
        var launcher = ctx.Services.GetRequiredService<TrainLauncher>();
        DiskOf(ctx).Fill();
        RunRequestException? refused = null;
        for (int i = 0; i < 500 && refused is null; i++)
        {
            try { await launcher.StartAsync(TrainStudio.SmallForm($"full-{i}"), new StudioUser("carol", false)); }
            catch (RunRequestException e) { refused = e; }
        }
        Assert.Equal("The new run could not be recorded: the disk is full; free some space (or fix the disk) and try again.", refused?.Message);
    }

    [Fact]
    public async Task A_run_whose_progress_no_longer_fits_is_stopped_and_ends_failed_saying_the_disk_is_full()
    {
        using var root = new TempContentRoot();
        var disk = new FailingDisk(Path.Combine(root.Saves, "studio.db"));
        await using var studio = await StudioInstance.StartAsync(root.Path, services: s => s.ConfigureDbContext<StudioDbContext>(o => o.AddInterceptors(disk)));
        var probe = new RunsProbe(studio);
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "long", "alice", SelfTestConfig.Create(600, 100));
        var running = await probe.WaitFor(run.Id, r => r.CurrentStep >= 3, "to reach step 3");

        disk.Fill();
        // Its next metric rows do not fit: the worker is stopped rather than left training unrecorded.
        await Eventually.Get(() => Task.FromResult(WorkerProcess.IsAlive(running.WorkerPid!.Value, run.Id)), alive => !alive, TimeSpan.FromSeconds(90), "the worker to be stopped");
        disk.Repair();
        var failed = await probe.WaitFor(run.Id, r => r.Status != RunStatus.Running, "to be recorded as ended", seconds: 60);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("The studio could not record this run's progress (the disk is full), so it stopped the run; once the disk takes writes again, resume it.", failed.Error);
        Assert.Null(failed.WorkerPid);
        Assert.InRange(failed.CurrentStep!.Value, 3, 599);
    }

    [Fact]
    public async Task A_run_that_cannot_even_record_its_end_stays_running_until_writes_work_again_then_ends_failed()
    {
        using var root = new TempContentRoot();
        var disk = new FailingDisk(Path.Combine(root.Saves, "studio.db"));
        await using var studio = await StudioInstance.StartAsync(root.Path, services: s => s.ConfigureDbContext<StudioDbContext>(o => o.AddInterceptors(disk)));
        var probe = new RunsProbe(studio);
        var runs = studio.Get<RunService>();
        var run = await runs.EnqueueAsync(RunKind.SelfTest, "long", "alice", SelfTestConfig.Create(600, 100));
        var running = await probe.WaitFor(run.Id, r => r.CurrentStep >= 3, "to reach step 3");

        disk.MakeReadOnly();
        await Eventually.Get(() => Task.FromResult(WorkerProcess.IsAlive(running.WorkerPid!.Value, run.Id)), alive => !alive, TimeSpan.FromSeconds(90), "the worker to be stopped");
        await Task.Delay(3000); // a few of the job's tries to record the end
        Assert.Equal(RunStatus.Running, (await probe.Get(run.Id)).Status);
        // Cancel cannot be recorded either: one sentence, not a torn-down page.
        var refused = await Assert.ThrowsAsync<RunRequestException>(() => runs.CancelAsync(run.Id, new StudioUser("alice", false)));
        Assert.Equal($"The cancel of run {run.Id} could not be recorded: the database is read-only; free some space (or fix the disk) and try again.", refused.Message);

        disk.Repair();
        var failed = await probe.WaitFor(run.Id, r => r.Status != RunStatus.Running, "to be recorded as ended", seconds: 60);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("The studio could not record this run's progress (the database is read-only), so it stopped the run; once the disk takes writes again, resume it.", failed.Error);
    }
}
