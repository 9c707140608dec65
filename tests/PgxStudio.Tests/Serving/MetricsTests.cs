using System.Globalization;
using System.Text.RegularExpressions;
using OpenAI.Chat;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>GET /metrics: Prometheus text under vLLM's names, with numbers that follow what was served.</summary>
public sealed partial class MetricsTests
{
    /// <summary>Every sample line of a Prometheus text page, by its name and labels; each HELP/TYPE pair checked.</summary>
    static Dictionary<string, double> Samples(string page)
    {
        var samples = new Dictionary<string, double>();
        string? typed = null;
        foreach (var line in page.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ")) continue;
            if (line.StartsWith("# TYPE "))
            {
                var parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "gauge", "counter", "histogram" });
                typed = parts[2];
                continue;
            }
            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a Prometheus sample line: {line}");
            Assert.StartsWith(typed!, m.Groups["name"].Value);
            samples[m.Groups["name"].Value + m.Groups["labels"].Value] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>[-+0-9.eE]+|\+Inf|NaN)$""")]
    private static partial Regex SampleLine();

    [Fact]
    public async Task Counts_tokens_and_finished_requests_and_times_them_under_vllm_names()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend("m"), new ChatServerOptions { ApiKey = "secret" });
        var client = new ChatClient("m", new System.ClientModel.ApiKeyCredential("secret"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        await client.CompleteChatAsync([new UserChatMessage("a b c")]);                                        // 4 tokens, stop
        await client.CompleteChatAsync([new UserChatMessage("a b c d e")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }); // 2 tokens, length

        using var http = new HttpClient { BaseAddress = server.Url }; // no key: /metrics is outside /v1
        var response = await http.GetAsync("metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var samples = Samples(await response.Content.ReadAsStringAsync());
        const string model = "{model_name=\"m\"}";
        Assert.Equal(0, samples["vllm:num_requests_running" + model]);
        Assert.Equal(0, samples["vllm:num_requests_waiting" + model]);
        Assert.Equal(0, samples["vllm:kv_cache_usage_perc" + model]);
        Assert.Equal(6, samples["vllm:generation_tokens_total" + model]);
        Assert.Equal(1, samples["vllm:request_success_total{model_name=\"m\",finished_reason=\"stop\"}"]);
        Assert.Equal(1, samples["vllm:request_success_total{model_name=\"m\",finished_reason=\"length\"}"]);
        Assert.Equal(2, samples["vllm:time_to_first_token_seconds_count" + model]);
        Assert.Equal(2, samples["vllm:e2e_request_latency_seconds_count" + model]);
        Assert.Equal(2, samples["vllm:time_to_first_token_seconds_bucket{model_name=\"m\",le=\"+Inf\"}"]);
        Assert.Equal(4, samples["vllm:inter_token_latency_seconds_count" + model]); // 3 gaps + 1 gap
    }

    [Fact]
    public async Task Running_requests_and_KV_usage_show_while_they_generate()
    {
        var backend = new ScriptedChatBackend("m", pieceDelay: TimeSpan.FromMilliseconds(100));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        var client = new ChatClient("m", new System.ClientModel.ApiKeyCredential("unused"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var answers = Task.WhenAll(client.CompleteChatAsync([new UserChatMessage("a b c d e f")]), client.CompleteChatAsync([new UserChatMessage("g h i j k l")]));
        using var http = new HttpClient { BaseAddress = server.Url };
        var during = await TestSupport.Eventually.Get(async () => Samples(await http.GetStringAsync("metrics")),
            s => s["vllm:num_requests_running{model_name=\"m\"}"] == 2, TimeSpan.FromSeconds(10), "both requests to run");
        Assert.Equal(0.5, during["vllm:kv_cache_usage_perc{model_name=\"m\"}"]); // the scripted backend has 4 slots
        await answers;
    }
}
