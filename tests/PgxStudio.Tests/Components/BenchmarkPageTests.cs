using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Benchmarks;
using PgxStudio.Components.Pages.Benchmark;
using PgxStudio.Serving;
using PgxStudio.Tests.Benchmarks;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Components;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class BenchmarkPageTests
{
    static async Task<(int First, int Second, int Other)> SaveSweepAndAnother(StudioComponentContext ctx)
    {
        var history = ctx.Services.GetRequiredService<BenchmarkHistory>();
        var samples = new BenchmarkSamples([0.010, 0.012, 0.014], [0.004, 0.005]);
        var p1 = await history.SaveAsync(BenchmarkRecords.From(BenchmarkStorageTests.SampleResult(1), samples, "vLLM AWQ", "sweep-a", "alice", DateTime.UtcNow));
        var p2 = await history.SaveAsync(BenchmarkRecords.From(BenchmarkStorageTests.SampleResult(2, scale: 2), samples, "vLLM AWQ", "sweep-a", "alice", DateTime.UtcNow));
        // An older start of another engine: saved first so the newest sweep is sweep-a.
        var other = await history.SaveAsync(BenchmarkRecords.From(BenchmarkStorageTests.SampleResult(4, scale: 3) with { Model = "trt-llm" }, samples, "TensorRT-LLM", "sweep-b", "bob", DateTime.UtcNow));
        return (p1.Id, p2.Id, other.Id);
    }

    [Fact]
    public async Task The_page_shows_the_newest_stored_sweep_with_its_figures_and_charts()
    {
        await using var ctx = new StudioComponentContext();
        var history = ctx.Services.GetRequiredService<BenchmarkHistory>();
        var samples = new BenchmarkSamples([0.010, 0.012, 0.014], [0.004, 0.005]);
        await history.SaveAsync(BenchmarkRecords.From(BenchmarkStorageTests.SampleResult(1), samples, "vLLM AWQ", "sweep-a", "alice", DateTime.UtcNow));
        await history.SaveAsync(BenchmarkRecords.From(BenchmarkStorageTests.SampleResult(2, scale: 2), samples, "vLLM AWQ", "sweep-a", "alice", DateTime.UtcNow));

        var page = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));

        Assert.Contains("vLLM AWQ · Qwen3-0.6B-AWQ", page.Find("#bench-shown-title").TextContent);
        var throughput = page.FindAll("#bench-throughput tbody tr");
        Assert.Equal(2, throughput.Count);
        Assert.Equal(["1", "19", "1", "1.90", "230", "473"], throughput[0].QuerySelectorAll("td").Take(6).Select(td => td.TextContent));
        Assert.Equal(["2", "19", "1", "3.80", "460", "946"], throughput[1].QuerySelectorAll("td").Take(6).Select(td => td.TextContent));
        Assert.Contains("HTTP 503: busy", throughput[0].TextContent);
        var figures = page.FindAll("#bench-figures tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent).ToArray()).ToList();
        Assert.Equal(8, figures.Count); // four latency figures per level
        Assert.Equal(["1", "TTFT", "12.0", "11.0", "20.0", "30.0"], figures[0]);
        Assert.Equal(["1", "TPOT", "4.0", "4.1", "5.0", "6.0"], figures[1]);
        Assert.Equal(["1", "ITL", "4.2", "4.0", "5.2", "6.1"], figures[2]);
        Assert.Equal(["1", "E2EL (latency)", "500.0", "490.0", "600.0", "700.0"], figures[3]);
        Assert.Equal(["2", "TTFT", "24.0", "11.0", "20.0", "30.0"], figures[4]);
        // One histogram per level; a sweep also gets throughput against parallel (two lines).
        Assert.Equal("2", page.Find("#bench-ttft-chart").GetAttribute("data-traces"));
        Assert.Equal("2", page.Find("#bench-tpot-chart").GetAttribute("data-traces"));
        Assert.Equal("2", page.Find("#bench-throughput-chart").GetAttribute("data-traces"));
        Assert.Equal(2, page.FindAll("#bench-history tbody tr").Count);
    }

    [Fact]
    public async Task Ticked_results_appear_side_by_side_and_a_result_can_be_deleted()
    {
        await using var ctx = new StudioComponentContext();
        var (first, _, other) = await SaveSweepAndAnother(ctx);
        var page = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Empty(page.FindAll("#bench-compare"));

        page.Find($"#bench-history .bench-select input[data-id='{other}']").Change(true);
        page.Find($"#bench-history .bench-select input[data-id='{first}']").Change(true);

        var header = page.FindAll("#bench-compare thead th").Select(th => th.TextContent).ToList();
        Assert.Equal(["Figure", $"#{other} TensorRT-LLM (parallel 4)", $"#{first} vLLM AWQ (parallel 1)"], header);
        var rows = page.FindAll("#bench-compare tbody tr").ToDictionary(tr => tr.QuerySelector("td")!.TextContent, tr => tr.QuerySelectorAll("td").Skip(1).Select(td => td.TextContent).ToArray());
        Assert.Equal(["trt-llm", "Qwen3-0.6B-AWQ"], rows["Model"]);
        Assert.Equal(["690", "230"], rows["Output throughput (tok/s)"]);
        Assert.Equal(["36.0 / 11.0 / 30.0", "12.0 / 11.0 / 30.0"], rows["TTFT mean / p50 / p99 (ms)"]);
        Assert.Equal(["19 / 1 of 20", "19 / 1 of 20"], rows["Requests (ok / failed)"]);

        // Alice is a local admin in this context: she may delete bob's result too.
        page.Find($"#bench-history .bench-delete[data-id='{other}']").Click();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#bench-history tbody tr").Count));
        Assert.Equal(2, (await ctx.Services.GetRequiredService<BenchmarkHistory>().ListAsync()).Count);
        Assert.Equal([$"#{first} vLLM AWQ (parallel 1)"], page.FindAll("#bench-compare thead th").Skip(1).Select(th => th.TextContent));
    }

    [Fact]
    public async Task The_form_defaults_to_the_loaded_chat_model_and_says_what_is_wrong_with_bad_input()
    {
        await using var ctx = new StudioComponentContext();
        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(7, "pgx-demo-tiny", "http://127.0.0.1:45678/v1", "alice", DateTime.UtcNow));
        var page = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));

        Assert.Equal("http://127.0.0.1:45678/v1", page.Find("#bench-url").GetAttribute("value"));
        Assert.Equal("pgx-demo-tiny", page.Find("#bench-model").GetAttribute("value"));
        Assert.Contains("pgx-demo-tiny", page.Find(".bench-loaded").TextContent);
        Assert.Empty(page.FindAll("#bench-progress"));

        page.Find("#bench-parallel").Change("0");
        page.Find("#bench-start").Click();
        page.WaitForAssertion(() => Assert.Equal("Parallel \"0\": \"0\" is not a whole number of at least 1; use e.g. 4 or 1,2,4,8.", page.Find("#bench-error").TextContent), TimeSpan.FromSeconds(10));
        Assert.Null(ctx.Services.GetRequiredService<BenchmarkRunner>().Progress);
    }

    [Fact]
    public async Task A_benchmark_started_from_the_page_shows_live_progress_and_stop_keeps_a_partial_result()
    {
        var model = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        PgxStudio.Engine.Models.Demo.DemoModel.Create(model, "tiny", seed: 5);
        await using var serve = await PgxServe.StartAsync(model);
        await using var ctx = new StudioComponentContext();
        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(3, serve.ModelId, serve.BaseUrl, "alice", DateTime.UtcNow));
        var runner = ctx.Services.GetRequiredService<BenchmarkRunner>();
        var page = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));

        page.Find("#bench-parallel").Change("1");
        page.Find("#bench-number").Change("200");
        page.Find("#bench-prompt-len").Change("16");
        page.Find("#bench-max-tokens").Change("16");
        page.Find("#bench-start").Click();
        page.WaitForAssertion(() =>
        {
            Assert.Equal("running", page.Find("#bench-state").TextContent);
            Assert.Matches(@"^([2-9]|\d\d+) / 200$", page.Find("#bench-progress-requests").TextContent); // requests finishing, live
        }, TimeSpan.FromSeconds(60));

        page.Find("#bench-stop").Click();
        await runner.Completion;
        page.WaitForAssertion(() =>
        {
            Assert.Equal("stopped", page.Find("#bench-state").TextContent);
            Assert.StartsWith("Benchmark stopped by alice at parallel 1: interrupted after", page.Find("#bench-problem").TextContent);
            Assert.StartsWith("Parallel 1 is partial: stopped by alice: interrupted after", page.Find(".bench-partial").TextContent);
            Assert.Single(page.FindAll("#bench-history tbody tr"));
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_loaded_chat_models_folder_is_the_tokenizer_that_counts_synthetic_prompts()
    {
        await using var ctx = new StudioComponentContext();
        var model = Path.Combine(ctx.ContentRoot, "saves", "models", "pgx-demo-tiny");
        PgxStudio.Engine.Models.Demo.DemoModel.Create(model, "tiny", seed: 5);
        var run = await ctx.Services.GetRequiredService<PgxStudio.Runs.RunService>().EnqueueAsync(PgxStudio.Persistence.RunKind.Serve, "chat-demo", "alice",
            PgxStudio.Chat.ChatModelLoader.Config(new PgxStudio.Chat.ChatModelRequest("saves/models/pgx-demo-tiny", [], null)));
        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(run.Id, "pgx-demo-tiny", "http://127.0.0.1:9/v1", "alice", DateTime.UtcNow));

        var page = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));

        page.WaitForAssertion(() => Assert.Equal(model, page.Find("#bench-tokenizer").GetAttribute("value")));
        Assert.Equal("http://127.0.0.1:9/v1", page.Find("#bench-url").GetAttribute("value"));
    }
}
