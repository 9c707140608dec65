using Microsoft.Playwright;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class TrainTests
{
    [Fact]
    public async Task A_LoRA_run_started_from_the_form_trains_live_and_a_cloned_second_run_is_cancelled_while_queued()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/train", owner: "erin");

        // The demo model the studio created is offered first; pick the identity dataset and small settings.
        await Assertions.Expect(page.Locator("#train-model-path")).ToHaveValueAsync("saves/models/pgx-demo-tiny");
        await page.Locator("#train-datasets").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "identity" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        // 30 examples, 8 per step, 40 epochs: 160 steps, long enough to reload mid-run, short enough for a busy machine.
        foreach (var (id, value, line) in new[] { ("train-epochs", "40", "num_train_epochs: 40.0"), ("train-cutoff-len", "256", "cutoff_len: 256"),
                     ("train-gradient-accumulation", "4", "gradient_accumulation_steps: 4"), ("train-logging-steps", "1", "logging_steps: 1"),
                     ("train-learning-rate", "0.001", "learning_rate: 0.001") })
            await FillUntilPreviewShows(page, id, value, line);
        var yaml = page.Locator("#train-yaml");
        await Assertions.Expect(yaml).ToContainTextAsync("dataset: identity");
        await Assertions.Expect(page.Locator("#train-command")).ToContainTextAsync("pgx train train_");
        await Browser.ScreenshotAsync(page, "train");

        await page.Locator("#train-start").ClickAsync();
        await Assertions.Expect(page.Locator("#train-started")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator("#train-run-link").ClickAsync();
        await page.WaitForURLAsync("**/runs/*");
        int runId = int.Parse(page.Url.Split('/').Last());
        var first = await studio.Get<RunQueries>().GetAsync(runId);
        Assert.Equal(("erin", "pgx-demo-tiny", "lora", "identity"), (first!.Owner, Path.GetFileName(first.Model), first.Method, first.Datasets));

        // The loss chart fills live; after a reload mid-run the history is there and points keep coming.
        await Browser.WaitForInteractiveAsync(page);
        try
        {
            await page.WaitForFunctionAsync("Number(document.querySelector('#loss-chart')?.dataset.points) >= 10", null, new() { Timeout = 120_000 });
        }
        catch (TimeoutException)
        {
            var run = await studio.Get<RunQueries>().GetAsync(runId);
            var log = Path.Combine(root.Path, run!.OutputDir, "worker.log");
            Assert.Fail($"No loss points after 120 s; the run is {run.Status} at step {run.CurrentStep}/{run.TotalSteps}, error: {run.Error}; log: {(File.Exists(log) ? File.ReadAllText(log) : "none")}");
        }
        int before = int.Parse((await page.Locator("#loss-chart").GetAttributeAsync("data-points"))!);
        await page.ReloadAsync();
        await Browser.WaitForInteractiveAsync(page);
        int afterReload = int.Parse((await page.Locator("#loss-chart").GetAttributeAsync("data-points"))!);
        Assert.True(afterReload >= before, $"after the reload the chart had {afterReload} points, before {before}");
        await page.WaitForFunctionAsync($"Number(document.querySelector('#loss-chart')?.dataset.points) > {afterReload}", null, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#loss-chart .scatterlayer .trace").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "train-run");

        // A second run from the form (cloned from the first) waits behind it; its owner cancels it while queued.
        await page.Locator("#run-clone").ClickAsync();
        await page.WaitForURLAsync($"**/train?clone={runId}");
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#train-yaml")).ToContainTextAsync("num_train_epochs: 40.0");
        await page.Locator("#train-start").ClickAsync();
        await Assertions.Expect(page.Locator("#train-queue-position")).ToHaveTextAsync("next in the gpu queue", new() { Timeout = 15_000 });
        await page.Locator("#train-run-link").ClickAsync();
        await page.WaitForURLAsync("**/runs/*");
        await Browser.WaitForInteractiveAsync(page);
        int secondId = int.Parse(page.Url.Split('/').Last());
        Assert.NotEqual(runId, secondId);
        await page.Locator("#run-cancel").ClickAsync();
        await Assertions.Expect(page.Locator(".run-status-cancelled")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var second = await studio.Get<RunQueries>().GetAsync(secondId);
        Assert.Equal((RunStatus.Cancelled, (DateTime?)null), (second!.Status, second.StartedAt));

        // The first run finishes with its adapter in LlamaBoard's folder layout.
        var finished = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(runId), r => r!.IsFinished, TimeSpan.FromSeconds(300), "the first run to finish");
        Assert.Equal(RunStatus.Succeeded, finished!.Status);
        Assert.StartsWith("saves/pgx-demo-tiny/lora/train_", finished.OutputDir);
        Assert.True(File.Exists(Path.Combine(root.Path, finished.OutputDir, "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(root.Path, finished.OutputDir, "training_loss.png")), "a run started from the studio plots its loss, as LlamaBoard's do");
    }

    /// <summary>
    /// Types a value and waits for the YAML preview to show it. A value typed while the server is still rendering the
    /// previous change can be overwritten by that render, so it is typed again (at most three times).
    /// </summary>
    static async Task FillUntilPreviewShows(IPage page, string id, string value, string line)
    {
        for (int attempt = 1; ; attempt++)
        {
            await page.Locator("#" + id).FillAsync(value);
            await page.Locator("#" + id).PressAsync("Tab");
            try
            {
                await Assertions.Expect(page.Locator("#train-yaml")).ToContainTextAsync(line, new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3) { }
        }
    }
}
