using Microsoft.Playwright;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

public class RunLogTests
{
    const string Config = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        finetuning_type: lora
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 96
        per_device_train_batch_size: 1
        logging_steps: 1
        save_steps: 5
        max_steps: 5000
        learning_rate: 1.0e-3
        """;

    [Fact]
    public async Task A_train_runs_Log_tab_fills_live_and_keeps_its_lines_after_a_reload()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.Train, "logged", "erin", Config);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, $"/runs/{run.Id}", owner: "erin");

        var log = page.Locator("#run-log");
        await Assertions.Expect(log).ToContainTextAsync("started: 5000 steps", new() { Timeout = 120_000 });
        await Assertions.Expect(log).ToContainTextAsync("step 3/5000: loss ", new() { Timeout = 60_000 });
        await Assertions.Expect(log).ToContainTextAsync("saved checkpoint-5 at step 5", new() { Timeout = 60_000 });
        await Browser.ScreenshotAsync(page, "run-log");

        await page.ReloadAsync();
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(log).ToContainTextAsync("saved checkpoint-5 at step 5");
        // Long enough (5,000 steps of a tiny model) to be still running here on a fast machine, so it can be cancelled.
        await studio.Get<RunService>().CancelAsync(run.Id, new StudioUser("erin", false));
        await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(60), "the run to stop");
    }
}
