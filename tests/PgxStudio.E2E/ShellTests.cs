using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>The studio in a real headless Chromium, against a real studio on loopback.</summary>
public class ShellTests
{
    [Fact]
    public async Task A_user_names_themself_navigates_the_drawer_opens_System_and_watches_a_self_test_finish()
    {
        // The GPU a GB10 reports, through the fake nvidia-smi with its recorded answer.
        var gb10 = Path.Combine(RepoPaths.Root, "tests", "fixtures", "machine", "gb10-nvidia-smi");
        using var root = new TempContentRoot(settings => settings["Studio"]!["NvidiaSmiPath"] = gb10);
        // Production, as a user runs it: framework scripts must be served without the Development environment.
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await Browser.OpenAsync(context, studio.BaseAddress);

        // First visit: no name yet; the owner dialog records one in a cookie.
        await page.ClickAsync("#owner-button");
        await page.FillAsync("#owner-name", "erin");
        await page.ClickAsync("#owner-save");
        await Assertions.Expect(page.Locator("#owner-button")).ToContainTextAsync("erin");

        // Queue a self-test and watch it finish live, with no reload.
        await page.ClickAsync("#queue-selftest");
        await Assertions.Expect(page.Locator("#recent-runs")).ToContainTextAsync("erin");
        await Assertions.Expect(page.Locator("#recent-runs .run-status-succeeded")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#recent-runs")).ToContainTextAsync("40/40");
        await Browser.ScreenshotAsync(page, "overview");

        // Navigate through the drawer.
        await page.Locator(".mud-nav-link", new() { HasText = "System" }).ClickAsync();
        await page.WaitForURLAsync("**/system");
        await Assertions.Expect(page.Locator(".fact-device")).ToHaveTextAsync("cpu");
        await Assertions.Expect(page.Locator(".fact-cores")).ToHaveTextAsync(Environment.ProcessorCount.ToString());
        await Assertions.Expect(page.Locator(".queue-count-succeeded")).ToHaveTextAsync("1");
        // The live monitor: the GB10's memory as nvidia-smi reports it, and charts that grow a point a second.
        await Assertions.Expect(page.Locator("#monitor-gpu-0 .gpu-memory-used")).ToHaveTextAsync("not supported");
        await Assertions.Expect(page.Locator("#machine-gauge .gauge-cpu")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^CPU \d+%$"));
        var points = int.Parse((await page.Locator("#monitor-cpu").GetAttributeAsync("data-points"))!);
        await page.WaitForFunctionAsync($"Number(document.querySelector('#monitor-cpu').dataset.points) >= {points + 3}", null, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#monitor-memory .js-plotly-plot")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "system");

        // The name survives a reload (cookie), and the dark theme toggles.
        await page.ReloadAsync();
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#owner-button")).ToContainTextAsync("erin");
        const string background = "getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";
        var light = await page.EvaluateAsync<string>(background);
        await page.ClickAsync("#theme-toggle");
        await page.WaitForFunctionAsync($"{background} !== '{light}'");
        await Browser.ScreenshotAsync(page, "system-dark");
    }

    [Fact]
    public async Task The_queue_dashboard_is_served_to_the_machine_itself()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        using var client = studio.CreateClient();
        var response = await client.GetAsync("/hangfire");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("PGX Studio queue", await response.Content.ReadAsStringAsync());
    }
}
