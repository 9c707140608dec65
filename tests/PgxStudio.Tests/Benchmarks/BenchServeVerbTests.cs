using System.CommandLine;
using System.Text.Json;
using PgxStudio.Benchmarks;
using PgxStudio.Cli;
using PgxStudio.Jobs;
using PgxStudio.Serving;
using PgxStudio.Tests.Serving;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>`pgx bench serve` as the command line runs it (under a `bench` parent, as the lead registers it).</summary>
public sealed class BenchServeVerbTests
{
    static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var root = new RootCommand { new Command("bench") { BenchServeVerb.Create() } };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await root.Parse(["bench", "serve", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_parallel_sweep_prints_one_json_result_per_level()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(pieceDelay: TimeSpan.FromMilliseconds(2)), new ChatServerOptions());
        var (code, stdout, stderr) = await Run("--url", new Uri(server.Url, "v1").ToString(), "--model", "scripted-echo",
            "--parallel", "1,2,4", "--number", "6", "--prompt-len", "8", "--max-tokens", "5", "--stream", "--json");
        Assert.True(code == WorkerExitCodes.Succeeded, stderr);
        var results = JsonSerializer.Deserialize<List<ServeBenchmarkResult>>(stdout)!;
        Assert.Equal([1, 2, 4], results.Select(r => r.Parallel));
        Assert.All(results, r => Assert.Equal((6, 0, false, "usage"), (r.Succeeded, r.Failed, r.Partial, r.TokenCounting)));
        Assert.All(results, r => Assert.Equal(r.TotalOutputTokens, r.StreamedChunks));
    }

    [Fact]
    public async Task The_text_report_names_the_figures()
    {
        // the default prompt length (128 tokens by chars/4) needs more context than the scripted default
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(contextTokens: 1000), new ChatServerOptions());
        var (code, stdout, stderr) = await Run("--url", server.Url.ToString(), "--model", "scripted-echo", "--number", "3", "--stream");
        Assert.True(code == WorkerExitCodes.Succeeded, stderr + stdout);
        foreach (var figure in new[] { "req/s", "output tok/s", "total tok/s", "E2EL", "TTFT", "ITL", "TPOT", "3 succeeded, 0 failed" })
            Assert.Contains(figure, stdout);
    }

    [Theory]
    [InlineData("--parallel", "0", "--parallel \"0\"")]
    [InlineData("--parallel", "1,x", "\"x\" is not a whole number")]
    [InlineData("--number", "0", "--number 0")]
    [InlineData("--url", "ftp://h", "is not an http(s) URL")]
    [InlineData("--dataset", "missing", "dataset_info.json")]
    public async Task Bad_options_are_one_sentence_and_exit_2(string option, string value, string says)
    {
        var args = new Dictionary<string, string> { ["--url"] = "http://127.0.0.1:9/v1", ["--model"] = "m", [option] = value };
        var (code, _, stderr) = await Run([.. args.SelectMany(p => new[] { p.Key, p.Value }), "--data-dir", Path.GetTempPath()]);
        Assert.Equal(WorkerExitCodes.InvalidInput, code);
        Assert.Contains(says, stderr);
    }

    [Fact]
    public async Task Every_request_failing_exits_1_with_the_reason()
    {
        var (code, stdout, stderr) = await Run("--url", "http://127.0.0.1:9/v1", "--model", "m", "--number", "2", "--json");
        Assert.Equal(WorkerExitCodes.Failed, code);
        Assert.Contains("Every request failed: Cannot reach", stderr);
        Assert.Equal(2, JsonSerializer.Deserialize<ServeBenchmarkResult>(stdout)!.Failed);
    }
}
