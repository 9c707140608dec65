using System.Net;
using System.Text;
using System.Text.Json;
using PgxStudio.Engine.Inference;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Serving;

/// <summary>The real engine behind the HTTP server, many requests at once: batching must not change any answer.</summary>
public sealed class BatchedServingTests
{
    static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Eight prompts whose token counts differ widely.</summary>
    static readonly string[] Prompts = Enumerable.Range(0, 8)
        .Select(i => string.Join(' ', Enumerable.Range(0, 1 + i * 4).Select(w => $"word{(w * 7 + i) % 23}"))).ToArray();

    static async Task<JsonElement> Complete(HttpClient http, object body)
    {
        var response = await http.PostAsync("v1/completions", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static async Task<string> StreamChat(HttpClient http, object body)
    {
        var response = await http.PostAsync("v1/chat/completions", Json(body));
        var text = new StringBuilder();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: {")))
        {
            var choices = JsonDocument.Parse(line[6..]).RootElement.GetProperty("choices");
            if (choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var c)) text.Append(c.GetString());
        }
        return text.ToString();
    }

    [Fact]
    public async Task Greedy_answers_of_eight_concurrent_requests_equal_their_answers_alone_and_streams_keep_their_order()
    {
        using var backend = new EngineChatBackend(new ServeModelSpec(ContextSensitiveModel.Directory, null) { Limits = new BatchLimits { MaxNumSeqs = 8 } });
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        object Body(string prompt) => new { prompt, max_tokens = 24, temperature = 0, ignore_eos = true };

        var alone = new List<string>();
        foreach (var p in Prompts) alone.Add((await Complete(http, Body(p))).GetProperty("choices")[0].GetProperty("text").GetString()!);
        Assert.True(alone.Distinct().Count() >= 6, "different prompts should get different answers");
        Assert.All(alone, a => Assert.NotEqual("", a));

        var together = await Task.WhenAll(Prompts.Select(async p => (await Complete(http, Body(p))).GetProperty("choices")[0].GetProperty("text").GetString()!));
        Assert.Equal(alone, together);
        Assert.True(backend.Scheduler.PeakRunning > 1, "the eight requests never shared a decode step");

        // Streams interleave at the server; each client still gets its own pieces in order.
        object Chat(string p) => new { messages = new[] { new { role = "user", content = p } }, max_tokens = 16, temperature = 0, stream = true };
        var whole = new List<string>();
        foreach (var p in Prompts.Take(4))
        {
            var reply = await http.PostAsync("v1/chat/completions", Json(new { messages = new[] { new { role = "user", content = p } }, max_tokens = 16, temperature = 0 }));
            whole.Add(JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
        }
        var streamed = await Task.WhenAll(Prompts.Take(4).Select(p => StreamChat(http, Chat(p))));
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task Seed_stop_and_max_tokens_hold_per_request_inside_a_shared_batch()
    {
        using var backend = new EngineChatBackend(new ServeModelSpec(ContextSensitiveModel.Directory, null) { Limits = new BatchLimits { MaxNumSeqs = 4 } });
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        object Seeded(long seed) => new { prompt = Prompts[3], max_tokens = 20, temperature = 1.0, top_p = 0.9, top_k = 40, seed, ignore_eos = true };
        var greedy = new { prompt = Prompts[5], max_tokens = 20, temperature = 0, ignore_eos = true };

        string Text(JsonElement e) => e.GetProperty("choices")[0].GetProperty("text").GetString()!;
        var seededAlone = Text(await Complete(http, Seeded(7)));
        var greedyAlone = Text(await Complete(http, greedy));
        var stop = greedyAlone.Substring(greedyAlone.Length / 2, 3);

        var batch = await Task.WhenAll(
            Complete(http, Seeded(7)),
            Complete(http, Seeded(8)),
            Complete(http, new { prompt = Prompts[5], max_tokens = 20, temperature = 0, ignore_eos = true, stop = new[] { stop } }),
            Complete(http, new { prompt = Prompts[5], max_tokens = 3, temperature = 0, ignore_eos = true }));

        Assert.Equal(seededAlone, Text(batch[0]));
        Assert.NotEqual(seededAlone, Text(batch[1]));
        Assert.Equal(greedyAlone[..greedyAlone.IndexOf(stop, StringComparison.Ordinal)], Text(batch[2]));
        Assert.Equal("stop", batch[2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(3, batch[3].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", batch[3].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.StartsWith(Text(batch[3]), greedyAlone);
    }

    [Fact]
    public async Task A_client_that_leaves_frees_its_slot_for_the_request_waiting_behind_it()
    {
        // A tiny model decodes a token in milliseconds: the abandoned answer is as long as the model allows (2,000
        // tokens), so a busy machine does not finish it before the client leaves.
        using var backend = new EngineChatBackend(new ServeModelSpec(ContextSensitiveModel.Directory, null) { Limits = new BatchLimits { MaxNumSeqs = 1, MaxModelLen = 2048 } });
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        var first = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = Json(new { prompt = "a long one", max_tokens = 2000, ignore_eos = true, stream = true }) };
        var response = await http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync());

        var second = Complete(http, new { prompt = "waiting", max_tokens = 5, ignore_eos = true });
        await Eventually.Get(() => Task.FromResult(backend.Load), l => l.Waiting == 1, TimeSpan.FromSeconds(30), "the second request to wait for the only slot");
        Assert.Equal(1.0, backend.Load.KvCacheUsage);

        response.Dispose(); // the client goes away mid-answer
        var answer = await second.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(5, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        await Eventually.Get(() => Task.FromResult(backend.Load), l => l is { Running: 0, Waiting: 0, SlotsUsed: 0 }, TimeSpan.FromSeconds(30), "the slot to be free");
        Assert.True(backend.Load.GenerationTokens < 2000, "the abandoned request kept generating");
        await Eventually.Get(() => http.GetStringAsync("metrics"), m => m.Contains("vllm:request_success_total{model_name=\"pgx-demo-wide\",finished_reason=\"abort\"} 1"),
            TimeSpan.FromSeconds(30), "/metrics to count the abandoned request as aborted");
    }
}
