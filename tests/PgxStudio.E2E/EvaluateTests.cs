using Microsoft.Playwright;
using PgxStudio.Evaluation;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class EvaluateTests
{
    [Fact]
    public async Task An_evaluation_started_from_the_form_shows_its_figures_and_sortable_samples_and_two_compare_side_by_side()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        // A first evaluation to compare with, queued as the CLI would.
        var earlier = await studio.Get<EvaluationLauncher>().StartAsync(
            new EvaluateForm { Name = "eval_greedy", ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["identity"], MaxSamples = 8, MaxNewTokens = 8, DoSample = false },
            new StudioUser("erin", false));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/evaluate", owner: "erin");

        // Starting without a dataset is refused at the field.
        await page.Locator("#eval-start").ClickAsync();
        await Assertions.Expect(page.GetByText("Choose at least one dataset to evaluate on.")).ToBeVisibleAsync();

        await page.Locator("#eval-datasets").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "identity" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await Browser.FillFieldAsync(page, "#eval-max-samples", "8");
        await Browser.FillFieldAsync(page, "#eval-max-new-tokens", "8");
        await page.Locator("#eval-start").ClickAsync();
        await page.WaitForURLAsync("**/evaluate/*");
        await Browser.WaitForInteractiveAsync(page);

        // The figures arrive when the worker finishes; the samples sort by BLEU-4, best first on the second click.
        await Assertions.Expect(page.Locator("#eval-metrics .eval-metric").First).Not.ToHaveTextAsync("—", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#eval-samples tbody tr")).ToHaveCountAsync(8);
        await page.Locator("#eval-sort-bleu").ClickAsync();
        await page.Locator("#eval-sort-bleu").ClickAsync();
        var bleu = (await page.Locator("#eval-samples tbody td.eval-bleu").AllInnerTextsAsync()).Select(double.Parse).ToList();
        Assert.Equal(bleu.OrderByDescending(b => b), bleu);
        await Assertions.Expect(page.Locator("#eval-download-predictions")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/files/generated_predictions.jsonl$"));
        await Browser.ScreenshotAsync(page, "evaluate");
        int second = int.Parse(page.Url.Split('/').Last());

        await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(earlier.Id), r => r!.IsFinished, TimeSpan.FromSeconds(60), "the first evaluation to finish");
        await page.GotoAsync(new Uri(studio.BaseAddress, $"/evaluate/compare?ids={earlier.Id},{second}").ToString());
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#compare-table tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#compare-chart")).ToHaveAttributeAsync("data-traces", "2");
        await Assertions.Expect(page.Locator("#compare-chart .barlayer .trace")).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Browser.ScreenshotAsync(page, "evaluate-compare");
    }
}
