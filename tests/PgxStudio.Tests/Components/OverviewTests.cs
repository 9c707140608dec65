using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Overview;
using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Tests.Components;

/// <summary>Shares the studio collection: Hangfire logs through one process-wide provider.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class OverviewTests
{
    [Fact]
    public async Task Queueing_a_self_test_records_the_owner_and_shows_the_run()
    {
        await using var ctx = new StudioComponentContext(owner: "carol");
        var page = ctx.Render<Overview>(p => p.AddCascadingValue(ctx.Session));
        Assert.Contains("No runs yet", page.Markup);

        await page.Find("#queue-selftest").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("carol", page.Find("#recent-runs").TextContent));
        Assert.Equal("1", page.Find(".queue-count-queued").TextContent);
    }

    [Fact]
    public async Task A_run_update_on_the_bus_refreshes_the_page()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<Overview>(p => p.AddCascadingValue(ctx.Session));
        var runs = ctx.Services.GetRequiredService<RunService>();
        var run = await runs.EnqueueAsync(RunKind.SelfTest, "from elsewhere", "dave", SelfTestConfig.Default);

        // Another user's run appears without a reload: the enqueue published on the bus.
        page.WaitForAssertion(() => Assert.Contains("from elsewhere", page.Find("#recent-runs").TextContent), TimeSpan.FromSeconds(5));

        await ctx.Services.GetRequiredService<RunRecorder>()
            .RecordEventAsync(run.Id, new WorkerEvent { Event = WorkerEvent.Names.Step, Step = 7, TotalSteps = 40, Loss = 1.5 });
        page.WaitForAssertion(() => Assert.Contains("7/40", page.Find("#recent-runs").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Without_a_name_the_page_explains_instead_of_queueing()
    {
        await using var ctx = new StudioComponentContext(owner: "");
        var page = ctx.Render<Overview>(p => p.AddCascadingValue(ctx.Session));
        page.Find("#queue-selftest").Click();
        Assert.Equal(0, (await ctx.Services.GetRequiredService<RunService>().SummaryAsync()).Queued);
    }
}
