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
        // A shutdown timeout far beyond the wait below, so the host's own timeout cannot end a held stop early.
        await using var studio = StudioProcess.Start(root.Path, new Dictionary<string, string?> { ["DOTNET_shutdownTimeoutSeconds"] = "300" },
            "--urls", $"http://127.0.0.1:{StudioProcess.FreePort()}");
        var url = await studio.WaitUntilListeningAsync();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync();
        var page = await Browser.OpenAsync(context, url);

        Jobs.PosixSignals.Send(studio.Id, Jobs.PosixSignals.SigTerm);
        // Held by the open page, the stop lasted until SignalR gave the connection up, 30 s later; ended at once, an idle
        // studio is gone in a second or two. 20 s tells the two apart even on a busy machine.
        Assert.Equal(0, await studio.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync();
    }
}
