using System.Text.Json;
using PgxStudio.Engine.Inference;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>`pgx bench decode` and `pgx bench model-folder` as a terminal runs them.</summary>
public sealed class BenchModelVerbsTests
{
    [Fact]
    public void Decode_reports_each_batch_against_the_bandwidth_probe_and_against_batch_1_with_and_without_its_prefill()
    {
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromMinutes(3), "bench", "decode", "--shape", "demo-tiny", "--batch", "1,3", "--steps", "4", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1, 3], results.Select(r => r.GetProperty("batch").GetInt32()));
        Assert.All(results, r => Assert.True(r.GetProperty("tokens_per_second").GetDouble() > 0 && r.GetProperty("ratio_to_limit").GetDouble() > 0));
        var scaling = json.RootElement.GetProperty("tokens_per_second_vs_batch_1");
        Assert.Equal(1.0, scaling.GetProperty("1").GetDouble());
        double expected = results[1].GetProperty("tokens_per_second").GetDouble() / results[0].GetProperty("tokens_per_second").GetDouble();
        Assert.Equal(Math.Round(expected, 2), scaling.GetProperty("3").GetDouble(), 1);
        // With the prefill counted (the batch arriving together): its time, and the curve against batch 1 from the same rows.
        Assert.All(results, r => Assert.True(r.GetProperty("prefill_seconds").GetDouble() > 0 && r.GetProperty("end_to_end_tokens_per_second").GetDouble() > 0));
        double whole = results[1].GetProperty("end_to_end_tokens_per_second").GetDouble() / results[0].GetProperty("end_to_end_tokens_per_second").GetDouble();
        Assert.Equal(Math.Round(whole, 2), json.RootElement.GetProperty("end_to_end_vs_batch_1").GetProperty("3").GetDouble(), 1);
        // Figures from a Debug build measure the JIT's unoptimized code: the verb says so, and only then.
#if DEBUG
        Assert.Contains("this is a Debug build", stderr);
#else
        Assert.DoesNotContain("Debug build", stderr);
#endif
    }

    [Fact]
    public async Task A_model_folder_of_a_benchmark_shape_loads_and_serves()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "random-demo-small");
        var (code, _, stderr) = Pgx.Run(TimeSpan.FromMinutes(3), "bench", "model-folder", "--shape", "demo-small", "--layers", "1", "--dtype", "float32", "--out", dir);
        Assert.True(code == 0, stderr);
        var config = Engine.Models.ModelConfig.Load(dir);
        Assert.Equal((1, 256, "float32"), (config.NumLayers, config.HiddenSize, config.TorchDtype));

        using var backend = new EngineChatBackend(new ServeModelSpec(dir, null) { Limits = new BatchLimits { MaxNumSeqs = 2, MaxModelLen = 256 } });
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var reply = await http.PostAsync("v1/completions", Serving.ServerTests.Json("""{"prompt":"hello","max_tokens":4,"ignore_eos":true}"""));
        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal(4, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}
