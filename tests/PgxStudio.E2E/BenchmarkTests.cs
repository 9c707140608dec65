using Microsoft.Playwright;
using PgxStudio.Hosting;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class BenchmarkTests
{
    [Fact]
    public async Task A_sweep_against_the_loaded_demo_model_shows_its_figures_and_charts_and_is_kept()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        // The chat page's serve worker, as the studio would have started it: a real `pgx serve` of the demo model.
        await using var serve = await PgxServe.StartAsync(studio.Get<StudioPaths>().DefaultModel);
        studio.Get<LoadedChatModels>().Add(new LoadedChatModel(1, serve.ModelId, serve.BaseUrl, "erin", DateTime.UtcNow));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        await context.AddCookiesAsync([new Cookie { Name = StudioUser.CookieName, Value = "erin", Url = studio.BaseAddress.ToString() }]);
        // A slow plotly.js (a busy machine, a laptop on Wi-Fi): the first level's charts come and go before it has loaded,
        // which once left every later chart blank (studio.js guards Plotly against calls for charts that are gone).
        await context.RouteAsync("**/_content/Plotly.Blazor/plotly-*.min.js", async route => { await Task.Delay(4000); await route.ContinueAsync(); });
        var page = await Browser.OpenAsync(context, new Uri(studio.BaseAddress, "/benchmark"));

        await Assertions.Expect(page.Locator("#bench-url")).ToHaveValueAsync(serve.BaseUrl);
        await Assertions.Expect(page.Locator("#bench-model")).ToHaveValueAsync(serve.ModelId);
        await page.FillAsync("#bench-label", "demo on CPU");
        await page.FillAsync("#bench-parallel", "1,2");
        await page.FillAsync("#bench-number", "4");
        await page.FillAsync("#bench-prompt-len", "16");
        await page.FillAsync("#bench-max-tokens", "64"); // long enough that the first level is shown before the second ends
        await page.ClickAsync("#bench-start");

        await Assertions.Expect(page.Locator("#bench-state")).ToHaveTextAsync("finished", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#bench-progress-requests")).ToHaveTextAsync("4 / 4");
        var levels = page.Locator("#bench-throughput tbody tr");
        await Assertions.Expect(levels).ToHaveCountAsync(2);
        await Assertions.Expect(levels.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("4"); // succeeded at parallel 1
        await Assertions.Expect(levels.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#bench-figures tbody tr")).ToHaveCountAsync(8);
        await Assertions.Expect(page.Locator("#bench-shown-title")).ToContainTextAsync("demo on CPU");
        // Plotly drew the histograms (one per level) and the sweep's throughput lines.
        await Assertions.Expect(page.Locator("#bench-ttft-chart .barlayer .trace")).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#bench-tpot-chart .barlayer .trace")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#bench-throughput-chart .scatterlayer .trace")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#bench-history tbody tr")).ToHaveCountAsync(2);

        // Both levels side by side.
        await page.Locator("#bench-history .bench-select input").Nth(0).CheckAsync();
        await page.Locator("#bench-history .bench-select input").Nth(1).CheckAsync();
        await Assertions.Expect(page.Locator("#bench-compare thead th")).ToHaveCountAsync(3);
        await Browser.ScreenshotAsync(page, "benchmark");
    }
}
