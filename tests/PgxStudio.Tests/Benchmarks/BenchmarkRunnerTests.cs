using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgxStudio.Benchmarks;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>The benchmark page's runner against a real `pgx serve` worker of the demo model, and against bad endpoints.</summary>
[Collection(StudioCollection.Name)]
public sealed class BenchmarkRunnerTests
{
    static readonly StudioUser Alice = new("alice", false);

    static readonly Lazy<string> DemoModelFolder = new(() =>
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        DemoModel.Create(dir, "tiny", seed: 9);
        return dir;
    });

    static BenchmarkRequest Request(string url, string model, string parallel, int number, int maxTokens = 8) => new()
    {
        Label = "pgx demo", Url = url, Model = model, Parallel = parallel, Number = number, PromptLength = 16, MaxTokens = maxTokens, Stream = true,
    };

    [Fact]
    public async Task A_sweep_saves_one_row_per_level_with_figures_that_agree()
    {
        await using var serve = await PgxServe.StartAsync(DemoModelFolder.Value);
        await using var services = new BenchmarkServices();
        var started = services.Runner.Start(Request(serve.BaseUrl, serve.ModelId, "1,2", 4), Alice);
        await services.Runner.Completion;

        var progress = services.Runner.Progress!;
        Assert.False(progress.Running);
        Assert.Null(progress.Problem);
        var rows = await services.History.SweepAsync(started.SweepId);
        Assert.Equal(progress.SavedIds, rows.Select(r => r.Id));
        Assert.Equal([1, 2], rows.Select(r => r.Parallel));
        foreach (var r in rows)
        {
            Assert.Equal(("pgx demo", "alice", serve.ModelId, 4, 0, false), (r.Name, r.Owner, r.Model, r.Succeeded, r.Failed, r.Partial));
            Assert.Equal("usage", r.TokenCounting); // every request's counts came from the stream's usage chunk
            Assert.InRange(r.OutputTokens, 4, 4 * 8);
            Assert.True(r.E2elMean >= r.TtftMean && r.E2elP50 >= r.TtftP50 && r.E2elP90 >= r.TtftP90 && r.E2elP99 >= r.TtftP99);
            Assert.True(r.TtftMean > 0);
            Assert.Equal(r.Succeeded / r.DurationSeconds, r.RequestThroughput, 9);
            Assert.Equal(r.OutputTokens / r.DurationSeconds, r.OutputTokenThroughput, 9);

            // The stored JSON is the benchmark's own result, and the samples are the requests the figures summarise.
            var result = BenchmarkRecords.Result(r)!;
            Assert.Equal((r.OutputTokens, r.InputTokens), (result.TotalOutputTokens, result.TotalInputTokens));
            // A streamed piece is at most one token (the decoder holds back partial characters; a stop token adds none),
            // plus the decoder's final flush: the stream never shows more tokens than the usage counted.
            Assert.InRange(result.StreamedChunks, 1, r.OutputTokens + r.Succeeded);
            var samples = BenchmarkSamples.Parse(r.SamplesJson);
            Assert.Equal(4, samples.Ttft.Count);
            Assert.Equal(r.TtftMean, samples.Ttft.Average(), 9);
            Assert.Equal(result.Tpot.Count, samples.Tpot.Count);
            if (samples.Tpot.Count > 0) Assert.Equal(r.TpotMean, samples.Tpot.Average(), 9);
        }
    }

    [Fact]
    public async Task Stopping_mid_run_saves_what_finished_as_partial_and_a_second_start_is_refused_meanwhile()
    {
        await using var serve = await PgxServe.StartAsync(DemoModelFolder.Value);
        await using var services = new BenchmarkServices();
        var runner = services.Runner;
        RunRequestException? secondStart = null;
        bool stopped = false;
        runner.Changed += () =>
        {
            if (runner.Progress is not { Running: true, Done: >= 2 } || stopped) return;
            stopped = true;
            secondStart = Record.Exception(() => runner.Start(Request(serve.BaseUrl, serve.ModelId, "1", 2), new StudioUser("bob", false))) as RunRequestException;
            runner.Stop(Alice);
        };
        var started = runner.Start(Request(serve.BaseUrl, serve.ModelId, "1,2", 60, maxTokens: 16), Alice);
        await runner.Completion;

        Assert.NotNull(secondStart);
        Assert.Equal("A benchmark is already running (pgx demo, started by alice); wait for it or stop it first.", secondStart.Message);
        var progress = runner.Progress!;
        Assert.StartsWith("Benchmark stopped by alice at parallel 1: interrupted after ", progress.Problem);
        var row = Assert.Single(await services.History.SweepAsync(started.SweepId)); // parallel 2 never started
        Assert.True(row.Partial);
        Assert.InRange(row.Succeeded, 2, 59);
        Assert.Equal($"stopped by alice: interrupted after {row.Succeeded} of 60 requests finished", row.PartialReason);

        // Once it is over, the next start is welcome.
        runner.Start(Request(serve.BaseUrl, serve.ModelId, "1", 1), new StudioUser("bob", false));
        await runner.Completion;
        Assert.Null(runner.Progress!.Problem);
    }

    [Fact]
    public async Task Only_the_owner_or_a_local_admin_may_stop_a_running_benchmark()
    {
        await using var serve = await PgxServe.StartAsync(DemoModelFolder.Value);
        await using var services = new BenchmarkServices();
        services.Runner.Start(Request(serve.BaseUrl, serve.ModelId, "1", 100, maxTokens: 16), Alice);
        var refused = Assert.Throws<RunRequestException>(() => services.Runner.Stop(new StudioUser("bob", false)));
        Assert.Equal("The running benchmark belongs to alice; only they or an admin can stop it.", refused.Message);
        services.Runner.Stop(new StudioUser("carol", true));
        await services.Runner.Completion;
        Assert.Contains("stopped by carol", services.Runner.Progress!.Problem);
    }

    [Fact]
    public async Task An_unreachable_url_says_so_and_keeps_one_partial_row_with_the_reason()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var services = new BenchmarkServices();
        var started = services.Runner.Start(Request($"http://127.0.0.1:{port}/v1", "m", "1,2", 3), Alice);
        await services.Runner.Completion;

        Assert.StartsWith($"Every request at parallel 1 failed: Cannot reach http://127.0.0.1:{port}/v1/chat/completions", services.Runner.Progress!.Problem);
        var row = Assert.Single(await services.History.SweepAsync(started.SweepId)); // the sweep stops at the first dead level
        Assert.Equal((0, 3, true), (row.Succeeded, row.Failed, row.Partial));
        Assert.StartsWith("every request failed: Cannot reach", row.PartialReason);
        Assert.StartsWith("Cannot reach", row.FirstError);
    }

    [Theory]
    [InlineData("/status503", "Every request at parallel 1 failed: HTTP 503: overloaded, try later")]
    [InlineData("/html", "Every request at parallel 1 failed: The endpoint answered a streaming request with text/html instead of server-sent events")]
    public async Task An_endpoint_that_errors_or_is_not_openai_is_one_sentence(string path, string says)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/status503/v1/chat/completions", () => Results.Json(new { error = new { message = "overloaded, try later" } }, statusCode: 503));
        app.MapPost("/html/v1/chat/completions", () => Results.Text("<html>a web page</html>", "text/html"));
        await app.StartAsync();
        await using var services = new BenchmarkServices();
        services.Runner.Start(Request(app.Urls.First() + path + "/v1", "m", "1", 2), Alice);
        await services.Runner.Completion;
        Assert.StartsWith(says, services.Runner.Progress!.Problem);
        Assert.True(Assert.Single(await services.History.ListAsync()).Partial);
    }

    [Theory]
    [InlineData("parallel", "0", "Parallel \"0\": \"0\" is not a whole number of at least 1; use e.g. 4 or 1,2,4,8.")]
    [InlineData("parallel", "1,x", "Parallel \"1,x\": \"x\" is not a whole number of at least 1")]
    [InlineData("parallel", " ", "Parallel is empty")]
    [InlineData("url", "not a url", "URL \"not a url\" is not an http(s) URL; use e.g. http://127.0.0.1:8000/v1.")]
    [InlineData("url", "ftp://host/v1", "is not an http(s) URL")]
    [InlineData("url", "", "Enter the endpoint URL")]
    [InlineData("model", "", "Enter the model name")]
    [InlineData("number", "0", "Number of requests 0 must be at least 1.")]
    [InlineData("max", "0", "Max tokens 0 must be at least 1.")]
    [InlineData("dataset", "no_such_dataset", "has no dataset \"no_such_dataset\"")]
    public async Task Bad_input_is_one_sentence_and_starts_nothing(string field, string value, string says)
    {
        await using var services = new BenchmarkServices();
        var request = Request("http://127.0.0.1:9/v1", "m", "1", 2);
        request = field switch
        {
            "parallel" => request with { Parallel = value },
            "url" => request with { Url = value },
            "model" => request with { Model = value },
            "number" => request with { Number = int.Parse(value) },
            "max" => request with { MaxTokens = int.Parse(value) },
            _ => request with { Dataset = value },
        };
        var e = Assert.Throws<RunRequestException>(() => services.Runner.Start(request, Alice));
        Assert.Contains(says, e.Message);
        Assert.Null(services.Runner.Progress);
    }

    [Fact]
    public async Task A_benchmark_needs_a_name_to_record_who_ran_it()
    {
        await using var services = new BenchmarkServices();
        var e = Assert.Throws<RunRequestException>(() => services.Runner.Start(Request("http://127.0.0.1:9/v1", "m", "1", 1), new StudioUser("", true)));
        Assert.StartsWith("Enter your name first", e.Message);
    }
}
