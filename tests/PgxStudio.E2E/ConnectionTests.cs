using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>A page whose live connection to the studio breaks says so, instead of silently ignoring clicks.</summary>
public class ConnectionTests
{
    [Fact]
    public async Task A_page_that_loses_the_studio_says_so_and_offers_a_reload()
    {
        using var root = new TempContentRoot();
        var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        try
        {
            var page = await Browser.OpenAsync(browser, studio, "/", owner: "erin");
            var panel = page.Locator("#components-reconnect-modal");
            await Assertions.Expect(panel).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();

            await studio.DisposeAsync(); // the studio goes away under the open page
            await Assertions.Expect(panel).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(panel).ToContainTextAsync("The connection to the studio was lost; reconnecting");
            await Browser.ScreenshotAsync(page, "connection-lost");
        }
        finally
        {
            await studio.DisposeAsync();
        }
    }
}
