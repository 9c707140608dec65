using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download): headless, with the flags a closed network needs.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <param name="args">More Chromium flags (a host-resolver rule that points another site's name at the studio).</param>
    public static async Task<(IPlaywright, IBrowser)> LaunchAsync(params string[] args)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/test.sh (it installs Debian's chromium package).");
        // Plotly and the circuit can take seconds to draw on a busy two-core machine; 5 s (Playwright's default) is too tight.
        Assertions.SetDefaultExpectTimeout(20_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", .. args],
        });
        return (playwright, browser);
    }

    /// <summary>Opens a page and waits until the Blazor circuit is attached (clicks before that are lost).</summary>
    public static async Task<IPage> OpenAsync(IBrowserContext context, Uri url)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(url.ToString());
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>A fresh 1400×1000 browser context (signed in as <paramref name="owner"/> when given) opened at <paramref name="path"/>.</summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, StudioInstance studio, string path, string? owner = null)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        if (owner is not null)
            await context.AddCookiesAsync([new Cookie { Name = Runs.StudioUser.CookieName, Value = owner, Url = studio.BaseAddress.ToString() }]);
        return await OpenAsync(context, new Uri(studio.BaseAddress, path));
    }

    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("#pgx-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });

    /// <summary>
    /// Types a value into a field and leaves it, until the field keeps it. A value typed while the server is still
    /// rendering an earlier change (a select that just closed) can be overwritten by that render, so it is typed again
    /// (at most three times).
    /// </summary>
    public static async Task FillFieldAsync(IPage page, string selector, string value)
    {
        for (int attempt = 1; ; attempt++)
        {
            await page.Locator(selector).FillAsync(value);
            await page.Locator(selector).PressAsync("Tab");
            try
            {
                await Assertions.Expect(page.Locator(selector)).ToHaveValueAsync(value, new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3) { }
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        // A name may hold a folder ("zh-CN/train"): one folder per language's walk.
        var path = Path.Combine(RepoPaths.Artifacts, "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }
}
