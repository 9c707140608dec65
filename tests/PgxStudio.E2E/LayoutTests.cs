using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PgxStudio.Benchmarks;
using PgxStudio.Evaluation;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>
/// What only a browser's layout shows: nothing the user needs is covered, clipped or crowded. Each check measures
/// the drawn boxes (Plotly's SVG, the tables, the snackbar) of pages filled with data stored as runs leave it.
/// </summary>
public class LayoutTests
{
    record Box(double X, double Y, double Width, double Height)
    {
        public bool Overlaps(Box o) => X < o.X + o.Width && o.X < X + Width && Y < o.Y + o.Height && o.Y < Y + Height;
    }

    static async Task<Box> BoxOf(ILocator locator)
    {
        var b = await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("the element is not drawn");
        return new Box(b.X, b.Y, b.Width, b.Height);
    }

    static async Task<List<Box>> BoxesOf(ILocator locator)
    {
        var boxes = new List<Box>();
        for (int i = 0; i < await locator.CountAsync(); i++) boxes.Add(await BoxOf(locator.Nth(i)));
        return boxes;
    }

    static async Task<int> SeedRunAsync(StudioInstance studio, Run run, IEnumerable<RunMetric> metrics)
    {
        await using var db = await studio.Get<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        foreach (var m in metrics) { m.RunId = run.Id; db.RunMetrics.Add(m); }
        await db.SaveChangesAsync();
        return run.Id;
    }

    [Fact]
    public async Task Titles_ticks_previews_tables_and_messages_stay_readable()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var finished = DateTime.UtcNow;
        // The first 40 steps of a long run's linear decay from 1e-3: learning rates such as 0.00099998 on the lr axis.
        var trainId = await SeedRunAsync(studio,
            new Run { Kind = RunKind.Train, Name = "lr-ticks", Owner = "erin", Status = RunStatus.Succeeded, Config = "stage: sft\n", OutputDir = "saves/train/lr-ticks",
                CreatedAt = finished.AddMinutes(-5), StartedAt = finished.AddMinutes(-5), FinishedAt = finished, CurrentStep = 40, TotalSteps = 40 },
            Enumerable.Range(1, 40).Select(s => new RunMetric { Step = s, Loss = 2.0 / s, LearningRate = 0.001 * (1 - s / 100_000.0) }));
        // A cancelled self-test, to resume: its message must not cover the run's buttons.
        var cancelledId = await SeedRunAsync(studio,
            new Run { Kind = RunKind.SelfTest, Name = "to-resume", Owner = "erin", Status = RunStatus.Cancelled, Config = SelfTestConfig.Create(400, 100), OutputDir = "saves/selftest/to-resume",
                CreatedAt = finished.AddMinutes(-2), FinishedAt = finished, Error = "Cancelled by erin before it started." }, []);
        // A finished evaluation with long prompts and labels, as pgx predict writes its two files.
        var evalFolder = Path.Combine(root.Path, "saves", "demo", "base", "eval_layout");
        Directory.CreateDirectory(evalFolder);
        var question = "Explain, step by step and with an example, how a LoRA adapter changes the projections of an attention layer during fine-tuning.";
        File.WriteAllLines(Path.Combine(evalFolder, EvaluationResults.PredictionsFileName), Enumerable.Range(0, 3).Select(i => JsonSerializer.Serialize(new
        {
            prompt = $"<|im_start|>user\n{question} ({i})<|im_end|>\n<|im_start|>assistant\n",
            predict = string.Concat(Enumerable.Repeat("It adds a low-rank update to the weight of every targeted projection, and only that update trains. ", 8)),
            label = "A LoRA adapter adds the product of two small matrices, scaled by alpha over rank, to each targeted projection.",
        })));
        File.WriteAllText(Path.Combine(evalFolder, EvaluationResults.ResultsFileName), """{"predict_bleu-4": 12.5, "predict_rouge-1": 30.1, "predict_rouge-2": 10.2, "predict_rouge-l": 25.3, "predict_runtime": 2.5}""");
        var evalId = await SeedRunAsync(studio,
            new Run { Kind = RunKind.Predict, Name = "eval_layout", Owner = "erin", Status = RunStatus.Succeeded, OutputDir = "saves/demo/base/eval_layout", Method = "base", Datasets = "identity",
                CreatedAt = finished, StartedAt = finished, FinishedAt = finished }, []);
        // A stored benchmark level whose first tokens came after 50 ms to 15 s (a long queue behind a busy model).
        var ttft = Enumerable.Range(0, 40).Select(i => 0.05 + i * i * 0.0095).ToList();
        var latency = new LatencyStats(1.25, 1.25, 1.29, 1.3, 40);
        await studio.Get<BenchmarkHistory>().SaveAsync(BenchmarkRecords.From(new ServeBenchmarkResult
        {
            Url = "http://127.0.0.1:8000/v1/chat/completions", Model = "qwen3", Parallel = 4, Number = 40, Prompts = "synthetic 128 tokens", TokenCounting = "usage",
            StartedAt = DateTimeOffset.UtcNow, Succeeded = 40, DurationSeconds = 12, E2el = latency, Ttft = latency, Itl = latency, Tpot = latency,
        }, new BenchmarkSamples(ttft, ttft.Select(t => t / 50).ToList()), "vLLM", "sweep-layout", "erin", finished));

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        // Run page: the titles stay clear of Plotly's mode bar, and the learning rates' tick labels are not cut off.
        var page = await Browser.OpenAsync(browser, studio, $"/runs/{trainId}", owner: "erin");
        foreach (var chart in new[] { "#loss-chart", "#lr-chart" })
        {
            await page.Locator($"{chart} .main-svg").First.HoverAsync();
            await Assertions.Expect(page.Locator($"{chart} .modebar")).ToBeVisibleAsync();
            var title = await BoxOf(page.Locator($"{chart} .gtitle"));
            var modebar = await BoxOf(page.Locator($"{chart} .modebar"));
            Assert.False(title.Overlaps(modebar), $"{chart}: the title {title} lies under the mode bar {modebar}");
        }
        var lrSvg = await BoxOf(page.Locator("#lr-chart .main-svg").First);
        var lrTicks = await BoxesOf(page.Locator("#lr-chart .ytick text"));
        Assert.NotEmpty(lrTicks);
        Assert.All(lrTicks, t => Assert.True(t.X >= lrSvg.X, $"a learning-rate tick label starts at {t.X:0}, left of the chart at {lrSvg.X:0}"));
        await Browser.ScreenshotAsync(page, "layout-run-charts");

        // Train page: a long line of the YAML preview wraps instead of running out of its box, and max_samples -1 is
        // the same sentence pgx train gives.
        page = await Browser.OpenAsync(browser, studio, "/train", owner: "erin");
        await page.Locator("#train-output-dir").FillAsync("a-run-name-that-is-long-enough-to-make-the-output-dir-line-wider-than-the-preview-" + new string('x', 60));
        await page.Locator("#train-output-dir").PressAsync("Tab");
        await Assertions.Expect(page.Locator("#train-yaml")).ToContainTextAsync("xxxxxxxxxx");
        var widths = await page.Locator("#train-yaml").EvaluateAsync<int[]>("e => [e.scrollWidth, e.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the YAML preview is {widths[0]} px wide in a box of {widths[1]} px");
        await page.Locator("#train-max-samples").FillAsync("");
        await page.Locator("#train-max-samples").PressSequentiallyAsync("-1"); // typed, as a user does
        await page.Locator("#train-max-samples").PressAsync("Tab");
        var maxSamplesField = page.Locator(".mud-input-control", new() { Has = page.Locator("#train-max-samples") });
        await Assertions.Expect(maxSamplesField.Locator(".mud-input-helper-text.mud-input-error")).ToHaveTextAsync("max_samples must be at least 1 (leave it out to use every sample).");
        await Assertions.Expect(page.Locator("#train-yaml")).ToContainTextAsync("max_samples: -1");
        // A number typed over another (the field is filled in one go): its problem still shows at the field.
        await page.Locator("#train-learning-rate").FillAsync("-0.001");
        await page.Locator("#train-learning-rate").PressAsync("Tab");
        var learningRateField = page.Locator(".mud-input-control", new() { Has = page.Locator("#train-learning-rate") });
        await Assertions.Expect(learningRateField.Locator(".mud-input-helper-text.mud-input-error")).ToHaveTextAsync("learning_rate must be positive, got -0.001.");
        await Browser.ScreenshotAsync(page, "layout-train");

        // Evaluation page: the prompt and label columns are wide enough to read, and score headers stay on one line.
        page = await Browser.OpenAsync(browser, studio, $"/evaluate/{evalId}", owner: "erin");
        await Assertions.Expect(page.Locator("#eval-samples tbody tr")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        var headers = page.Locator("#eval-samples thead th");
        var bleu = await BoxOf(page.Locator("#eval-samples thead th", new() { HasText = "BLEU-4" }));
        var index = await BoxOf(headers.First);
        Assert.True(bleu.Height <= index.Height + 1, $"the BLEU-4 header is {bleu.Height:0} px high, a one-line header {index.Height:0} px");
        foreach (var column in new[] { "Prompt", "Label" })
        {
            var th = await BoxOf(page.Locator("#eval-samples thead th", new() { HasText = column }));
            Assert.True(th.Width >= 200, $"the {column} column is {th.Width:0} px wide");
        }
        // … and every score column fits beside them, with no scrolling sideways.
        var table = await page.Locator("#eval-samples .mud-table-container").EvaluateAsync<int[]>("e => [e.scrollWidth, e.clientWidth]");
        Assert.True(table[0] <= table[1], $"the samples table is {table[0]} px wide in {table[1]} px");
        await Browser.ScreenshotAsync(page, "layout-evaluation");

        // Benchmark page: the TTFT histogram's tick labels do not run into each other.
        page = await Browser.OpenAsync(browser, studio, "/benchmark", owner: "erin");
        await Assertions.Expect(page.Locator("#bench-ttft-chart .barlayer .trace")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var ticks = (await BoxesOf(page.Locator("#bench-ttft-chart .xtick text"))).OrderBy(b => b.X).ToList();
        Assert.True(ticks.Count >= 2);
        for (int i = 1; i < ticks.Count; i++)
            Assert.False(ticks[i - 1].Overlaps(ticks[i]), $"TTFT ticks {i - 1} {ticks[i - 1]} and {i} {ticks[i]} overlap");
        await Browser.ScreenshotAsync(page, "layout-benchmark");

        // A run's page: the message after Resume leaves the run's buttons visible.
        page = await Browser.OpenAsync(browser, studio, $"/runs/{cancelledId}", owner: "erin");
        await page.Locator("#run-resume").ClickAsync();
        var message = page.Locator(".mud-snackbar", new() { HasText = "Queued again" });
        await Assertions.Expect(message).ToBeVisibleAsync();
        var messageBox = await BoxOf(message);
        var buttons = await BoxesOf(page.Locator("#run-clone, #run-cancel, #run-resume, #run-delete"));
        Assert.NotEmpty(buttons);
        Assert.All(buttons, b => Assert.False(b.Overlaps(messageBox), $"the message {messageBox} covers a run button {b}"));
        await Browser.ScreenshotAsync(page, "layout-run-message");
        try { await studio.Get<RunService>().CancelAsync(cancelledId, new StudioUser("erin", true)); }
        catch (RunRequestException) { } // it may have ended already; the studio stops its worker either way
    }
}
