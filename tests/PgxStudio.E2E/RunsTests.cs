using Microsoft.Playwright;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class RunsTests
{
    [Fact]
    public async Task A_run_page_draws_its_loss_curve_live_and_picks_up_where_it_was_after_a_reload()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        // 24 s of steps: long enough that a reload on a loaded 2-core machine still lands mid-run.
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "curve", "erin", SelfTestConfig.Create(240, 100));
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await Browser.OpenAsync(context, new Uri(studio.BaseAddress, $"/runs/{run.Id}"));

        // Points arrive live (no reload) and Plotly draws them.
        await page.WaitForFunctionAsync("Number(document.querySelector('#loss-chart').dataset.points) >= 10", null, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#loss-chart .scatterlayer .trace").First).ToBeVisibleAsync();
        int before = int.Parse((await page.Locator("#loss-chart").GetAttributeAsync("data-points"))!);

        // A reload mid-run starts from the database history, then continues live.
        await page.ReloadAsync();
        await Browser.WaitForInteractiveAsync(page);
        int afterReload = int.Parse((await page.Locator("#loss-chart").GetAttributeAsync("data-points"))!);
        Assert.True(afterReload >= before, $"after the reload the chart had {afterReload} points, before {before}");
        await page.WaitForFunctionAsync($"Number(document.querySelector('#loss-chart').dataset.points) > {afterReload}", null, new() { Timeout = 30_000 });
        await Browser.ScreenshotAsync(page, "run-detail");

        var finished = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(60), "the run to finish");
        Assert.Equal(RunStatus.Succeeded, finished!.Status);
        await Assertions.Expect(page.Locator(".run-status-succeeded")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#progress-step")).ToHaveTextAsync("240 / 240");
        await page.GetByText("Files (").ClickAsync();
        await Assertions.Expect(page.Locator("#run-files")).ToContainTextAsync("result.json");
    }

    [Fact]
    public async Task Two_users_see_the_same_queue_and_each_may_cancel_only_their_own_queued_run()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var runs = studio.Get<RunService>();
        var running = await runs.EnqueueAsync(RunKind.SelfTest, "long", "frank", SelfTestConfig.Create(300, 100));
        var franks = await runs.EnqueueAsync(RunKind.SelfTest, "franks", "frank", SelfTestConfig.Create(5, 10));
        var gails = await runs.EnqueueAsync(RunKind.SelfTest, "gails", "gail", SelfTestConfig.Create(5, 10));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var pages = new List<IPage>();
        foreach (var owner in new[] { "frank", "gail" })
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 800 } });
            await context.AddCookiesAsync([new Cookie { Name = StudioUser.CookieName, Value = owner, Url = studio.BaseAddress.ToString() }]);
            pages.Add(await Browser.OpenAsync(context, new Uri(studio.BaseAddress, "/queue")));
        }
        foreach (var page in pages)
        {
            await Assertions.Expect(page.Locator("#queue-table tbody tr")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#owner-button")).Not.ToContainTextAsync("Enter your name");
        }
        // The browsers are local (loopback) and so admins; the owner rule itself is covered by the service tests.
        // Frank cancels his queued run; Gail's page drops it live.
        var frank = pages[0];
        await frank.Locator("#queue-table tbody tr", new() { HasText = "franks" }).Locator(".queue-cancel").ClickAsync();
        await Browser.ScreenshotAsync(frank, "queue-after-cancel");
        try
        {
            await Assertions.Expect(pages[1].Locator("#queue-table tbody tr")).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        }
        catch (PlaywrightException e)
        {
            // Whether the click reached the studio: the run's row in the database, and what the studios logged.
            var stored = await studio.Get<RunQueries>().GetAsync(franks.Id);
            throw new Xunit.Sdk.XunitException($"Gail's queue kept Frank's cancelled run; in the database it is {stored}. "
                + string.Join(Environment.NewLine, StudioLogTrail.Recent(25)) + Environment.NewLine + e.Message);
        }
        await Browser.ScreenshotAsync(pages[1], "queue");
        await runs.CancelAsync(running.Id, new StudioUser("frank", false));
        await runs.CancelAsync(gails.Id, new StudioUser("gail", false));
    }
}
