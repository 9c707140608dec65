using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PgxStudio.Persistence;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>
/// 中文 through the top bar's switch: every page speaks Chinese after it, a reload keeps it, and English comes back the
/// same way. A screenshot of each page lands in artifacts/screenshots/zh-CN/ for a Chinese reader to review.
/// </summary>
public class LanguageTests
{
    [Fact]
    public async Task The_switch_turns_every_page_Chinese_and_back()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var (first, second) = await SeedTwoRunsAsync(studio);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, studio, "/train", owner: "erin");
        await Assertions.Expect(page.Locator("h4").First).ToHaveTextAsync("Train");

        // The switch reloads the page the user is on, in Chinese.
        await page.ClickAsync("#language-zh-CN");
        await page.WaitForURLAsync("**/train");
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator("h4").First).ToHaveTextAsync("训练");
        await Assertions.Expect(page.Locator("#train-form")).ToContainTextAsync("学习率");

        // Every page, by address (the cookie goes with each request), with its own heading or words in Chinese.
        (string Path, string Name, string Chinese)[] pages =
        [
            ("/", "overview", "最近的运行"),
            ("/datasets", "datasets", "添加数据集"),
            ("/datasets/identity", "dataset", "词元长度"),
            ("/train", "train", "截断长度"),
            ("/runs", "runs", "最终损失"),
            ($"/runs/{first}", "run", "步数"),
            ($"/runs/compare?ids={first},{second}", "runs-compare", "比较运行"),
            ("/chat", "chat", "你的对话"),
            ("/evaluate", "evaluate", "开始评估"),
            ("/evaluate/999", "evaluation-missing", "没有评估 #999"),
            ("/evaluate/compare", "evaluate-compare", "比较评估"),
            ("/export", "export", "已完成的导出"),
            ("/benchmark", "benchmark", "服务基准测试"),
            ("/queue", "queue", "没有排队或正在运行的任务"),
            ("/system", "system", "已用内存"), // written by the monitor's live samples: re-rendered from the sampler's thread
            ("/not-found", "not-found", "这里什么也没有"),
        ];
        foreach (var (path, name, chinese) in pages)
        {
            await page.GotoAsync(new Uri(studio.BaseAddress, path).ToString());
            await Browser.WaitForInteractiveAsync(page);
            await Assertions.Expect(page.Locator(".mud-main-content")).ToContainTextAsync(chinese);
            await Assertions.Expect(page.Locator(".mud-nav-link", new() { HasText = "数据集" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#language-zh-CN")).ToHaveAttributeAsync("aria-current", "true");
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
            await Browser.ScreenshotAsync(page, $"zh-CN/{name}");
        }

        // And back: the same switch, remembered the same way.
        await page.ClickAsync("#language-en");
        await page.WaitForURLAsync("**/not-found");
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".mud-nav-link", new() { HasText = "Datasets" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Browser.WaitForInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".mud-main-content")).ToContainTextAsync("Nothing here");
    }

    /// <summary>Two finished train runs with a loss curve, as a run leaves them in the database.</summary>
    static async Task<(int, int)> SeedTwoRunsAsync(StudioInstance studio)
    {
        await using var db = await studio.Get<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
        var finished = DateTime.UtcNow;
        var runs = new[] { "lr-1e-4", "lr-3e-4" }.Select(name => new Run
        {
            Kind = RunKind.Train, Name = name, Owner = "erin", Status = RunStatus.Succeeded, Config = "stage: sft\n", OutputDir = $"saves/train/{name}",
            CreatedAt = finished.AddMinutes(-5), StartedAt = finished.AddMinutes(-5), FinishedAt = finished, CurrentStep = 20, TotalSteps = 20,
        }).ToList();
        db.Runs.AddRange(runs);
        await db.SaveChangesAsync();
        foreach (var run in runs)
            db.RunMetrics.AddRange(Enumerable.Range(1, 20).Select(s => new RunMetric { RunId = run.Id, Step = s, Loss = 2.0 / s, LearningRate = 1e-4 }));
        await db.SaveChangesAsync();
        return (runs[0].Id, runs[1].Id);
    }
}
