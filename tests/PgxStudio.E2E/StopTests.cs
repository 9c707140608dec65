using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>Stopping the studio (SIGTERM, as systemd or Ctrl+C does) while a browser has a page open.</summary>
public class StopTests
{
    [Fact]
    public async Task A_graceful_stop_with_a_page_open_ends_its_connection_instead_of_waiting_out_the_shutdown_timeout()
    {
        using var root = new TempContentRoot();
        // A shutdown timeout far beyond the wait below: a stop held by the open page could not pass for a quick one.
        await using var studio = StudioProcess.Start(root.Path, new Dictionary<string, string?> { ["DOTNET_shutdownTimeoutSeconds"] = "300" },
            "--urls", $"http://127.0.0.1:{StudioProcess.FreePort()}");
        var url = await studio.WaitUntilListeningAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync();
        var page = await Browser.OpenAsync(context, url);

        Jobs.PosixSignals.Send(studio.Id, Jobs.PosixSignals.SigTerm);
        Assert.Equal(0, await studio.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync();
    }
}
