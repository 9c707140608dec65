using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>
/// DNS rebinding in a real browser: evil.example resolves to the machine the studio runs on. The studio answers only to
/// its own names, and a page of evil.example cannot open its live connection.
/// </summary>
public class HostTests
{
    [Fact]
    public async Task A_foreign_host_name_is_refused_and_a_foreign_page_cannot_open_the_live_connection()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync("--host-resolver-rules=MAP evil.example 127.0.0.1");
        using var _ = playwright;
        await using var __ = browser;
        var port = studio.BaseAddress.Port;
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync($"http://evil.example:{port}/");
        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("This studio does not answer to the host name 'evil.example'");

        // The attacker's own page (served here by the test), opening the studio's live connection by its loopback address.
        await page.RouteAsync("http://evil.example/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = "<html><body>evil</body></html>" }));
        await page.GotoAsync("http://evil.example/");
        var outcome = await page.EvaluateAsync<string>($$"""
            () => new Promise(done => {
                const socket = new WebSocket("ws://127.0.0.1:{{port}}/_blazor");
                socket.onopen = () => done("open");
                socket.onerror = () => done("refused");
            })
            """);
        Assert.Equal("refused", outcome);

        // The same connection from the studio's own page opens.
        var own = await Browser.OpenAsync(context, studio.BaseAddress);
        Assert.Equal("open", await own.EvaluateAsync<string>($$"""
            () => new Promise(done => {
                const socket = new WebSocket("ws://127.0.0.1:{{port}}/_blazor");
                socket.onopen = () => done("open");
                socket.onerror = () => done("refused");
            })
            """));
    }
}
