using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class ExportTests
{
    [Fact]
    public async Task An_export_started_from_the_page_runs_in_the_queue_and_is_listed_with_the_commands_that_serve_it()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/export", owner: "erin");

        // A name that cannot be a folder is refused at the field.
        await page.Locator("#export-name").FillAsync("two words");
        await page.Locator("#export-name").PressAsync("Tab");
        await page.Locator("#export-start").ClickAsync();
        await Assertions.Expect(page.GetByText("The export name 'two words' cannot be used", new() { Exact = false })).ToBeVisibleAsync();

        // The defaults (GGUF Q4_K_M of the demo model) under a good name.
        await page.Locator("#export-name").FillAsync("demo-gguf");
        await page.Locator("#export-name").PressAsync("Tab");
        await Assertions.Expect(page.Locator("#export-name")).ToHaveValueAsync("demo-gguf");
        await page.Locator("#export-start").ClickAsync();
        await Assertions.Expect(page.Locator("#export-runs")).ToContainTextAsync("demo-gguf");

        // The finished export appears with its GGUF and the llama.cpp and Ollama commands.
        var card = page.Locator("#export-demo-gguf");
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(card.Locator(".mud-chip")).ToHaveTextAsync("gguf q4_k_m");
        await Assertions.Expect(card).ToContainTextAsync("demo-gguf-Q4_K_M.gguf");
        await Assertions.Expect(card.Locator(".export-command")).ToHaveCountAsync(2);
        await Assertions.Expect(card.Locator(".export-command").Nth(1)).ToContainTextAsync("ollama create demo-gguf:q4_k_m -f Modelfile");
        Assert.True(File.Exists(Path.Combine(root.Saves, "exports", "demo-gguf", "Modelfile")));
        await Browser.ScreenshotAsync(page, "export");
    }
}
