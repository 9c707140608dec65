using Microsoft.Playwright;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class DatasetsTests
{
    [Fact]
    public async Task A_dataset_previews_with_its_length_histogram_and_an_upload_is_checked_before_it_is_registered()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/datasets");

        await Assertions.Expect(page.Locator(".dataset-link")).ToHaveCountAsync(3);
        await Browser.ScreenshotAsync(page, "datasets");

        // A file that is not JSON is refused with its line; nothing is registered.
        // MudFileUpload keeps a fresh input after each pick; the newest is the live one.
        var upload = page.Locator("#dataset-upload input[type=file]").Last;
        await page.Locator("#upload-name").FillAsync("broken");
        await upload.SetInputFilesAsync(new FilePayload { Name = "broken.jsonl", MimeType = "application/json", Buffer = "{\"instruction\": \"a\", \"output\": \"b\"}\nnot json\n"u8.ToArray() });
        await Assertions.Expect(page.Locator("#upload-problem")).ToContainTextAsync("broken.jsonl has malformed JSON at line 2");
        await Assertions.Expect(page.Locator(".dataset-link")).ToHaveCountAsync(3);

        // A good one is registered and listed.
        await page.Locator("#upload-name").FillAsync("faq");
        // This time through the button, as a user would: it opens the browser's file picker.
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#upload-choose").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "faq.json", MimeType = "application/json", Buffer = """[{"instruction": "Where is the manual?", "output": "In the box."}]"""u8.ToArray() });
        await Assertions.Expect(page.Locator(".dataset-link")).ToHaveCountAsync(4);
        Assert.Contains("\"faq\"", File.ReadAllText(Path.Combine(root.Path, "data", "dataset_info.json")));

        await page.Locator(".dataset-link", new() { HasText = "identity" }).ClickAsync();
        await page.WaitForURLAsync("**/datasets/identity");
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".dataset-record")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator(".dataset-turn-assistant").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#lengths-histogram .barlayer .trace")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#lengths-suggested")).ToContainTextAsync("keeps 99%");
        await Browser.ScreenshotAsync(page, "dataset-preview");
    }
}
