using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgxStudio.Benchmarks;
using PgxStudio.Serving;
using PgxStudio.Tests.Serving;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>`pgx bench serve`'s client against this studio's server on loopback: figures that agree with each other.</summary>
public sealed class ServeBenchmarkTests
{
    static ServeBenchmarkOptions Options(Uri url, int number, bool stream, int maxTokens = 6) => new()
    {
        Url = new Uri(url, "v1").ToString(), Model = "scripted-echo", Number = number, Stream = stream, MaxTokens = maxTokens,
        PromptsLabel = "test",
    };

    /// <summary>What the scripted backend will answer, computed from its own rules, per prompt.</summary>
    static (int Input, int Output) Expected(string prompt, int maxTokens)
    {
        var request = new ChatCompletionRequest { Messages = [new ChatMessage("user", prompt)], MaxTokens = maxTokens };
        int input = ScriptedChatBackend.PromptTokens(request);
        return (input, Math.Min(ScriptedChatBackend.ReplyPieces(request).Count, Math.Min(maxTokens, 64 - input)));
    }

    [Fact]
    public async Task Streaming_figures_are_consistent_with_the_stream_and_the_usage()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(pieceDelay: TimeSpan.FromMilliseconds(3)), new ChatServerOptions());
        var prompts = BenchmarkPrompts.Synthetic(12, 12).Prompts;
        var r = await ServeBenchmark.RunAsync(Options(server.Url, 12, stream: true), prompts, parallel: 4, CancellationToken.None);

        Assert.Equal((12, 0, false), (r.Succeeded, r.Failed, r.Partial));
        Assert.Equal("usage", r.TokenCounting);
        Assert.Equal(prompts.Sum(p => Expected(p, 6).Input), r.TotalInputTokens);
        Assert.Equal(prompts.Sum(p => Expected(p, 6).Output), r.TotalOutputTokens);
        Assert.Equal(r.TotalOutputTokens, r.StreamedChunks); // one streamed piece per token in the scripted backend
        Assert.Equal(r.StreamedChunks - r.Succeeded, r.Itl.Count); // n pieces → n-1 gaps per request
        Assert.Equal(12, r.Tpot.Count);
        Assert.Equal(12, r.E2el.Count);
        Assert.True(r.E2el.Mean >= r.Ttft.Mean && r.E2el.P50 >= r.Ttft.P50 && r.E2el.P99 >= r.Ttft.P99);
        Assert.True(r.Ttft.Mean > 0 && r.Itl.Mean > 0);
        foreach (var s in new[] { r.E2el, r.Ttft, r.Itl, r.Tpot }) Assert.True(s.P50 <= s.P90 && s.P90 <= s.P99);
        Assert.Equal(r.Succeeded / r.DurationSeconds, r.RequestThroughput, 9);
        Assert.Equal(r.TotalOutputTokens / r.DurationSeconds, r.OutputTokenThroughput, 9);
        Assert.Equal((r.TotalInputTokens + r.TotalOutputTokens) / r.DurationSeconds, r.TotalTokenThroughput, 9);
        // at most 4 generations overlap: the run cannot be faster than their streaming time shared four ways
        Assert.True(r.DurationSeconds >= r.Itl.Mean * r.Itl.Count / 4 * 0.9);
    }

    [Fact]
    public async Task Without_streaming_ttft_is_the_whole_latency()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var r = await ServeBenchmark.RunAsync(Options(server.Url, 5, stream: false), BenchmarkPrompts.Synthetic(8, 5).Prompts, 2, CancellationToken.None);
        Assert.Equal(5, r.Succeeded);
        Assert.Equal(r.E2el, r.Ttft);
        Assert.Equal(0, r.Itl.Count);
        Assert.Equal(0, r.StreamedChunks);
        Assert.Equal("usage", r.TokenCounting);
    }

    [Fact]
    public async Task Refused_requests_are_counted_as_failures_with_the_servers_message()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(contextTokens: 12), new ChatServerOptions());
        string[] prompts = ["short prompt", "a much longer prompt that has far more than twelve words in it for sure ok"];
        var r = await ServeBenchmark.RunAsync(Options(server.Url, 6, stream: true), prompts, 2, CancellationToken.None);
        Assert.Equal((3, 3), (r.Succeeded, r.Failed));
        var (message, count) = Assert.Single(r.Errors);
        Assert.Equal(3, count);
        Assert.StartsWith("HTTP 400: The prompt is", message);
        Assert.Equal(3 * Expected(prompts[0], 6).Output, r.TotalOutputTokens);
    }

    [Fact]
    public async Task An_unreachable_url_fails_every_request_with_a_clear_message()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var r = await ServeBenchmark.RunAsync(Options(new Uri($"http://127.0.0.1:{port}"), 3, true), ["hi"], 2, CancellationToken.None);
        Assert.Equal((0, 3), (r.Succeeded, r.Failed));
        Assert.StartsWith($"Cannot reach http://127.0.0.1:{port}/v1/chat/completions", Assert.Single(r.Errors).Key);
        Assert.Equal(0, r.RequestThroughput);
        Assert.Equal(LatencyStats.Empty, r.E2el);
    }

    [Fact]
    public async Task An_endpoint_that_is_not_openai_is_reported_not_crashed_on()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/v1/chat/completions", () => Results.Text("hello, I am a web page", "text/html"));
        await app.StartAsync();
        var url = new Uri(app.Urls.First());

        var streamed = await ServeBenchmark.RunAsync(Options(url, 2, true), ["hi"], 1, CancellationToken.None);
        Assert.Contains("text/html instead of server-sent events", Assert.Single(streamed.Errors).Key);
        var whole = await ServeBenchmark.RunAsync(Options(url, 2, false), ["hi"], 1, CancellationToken.None);
        Assert.Contains("did not answer with a chat completion", Assert.Single(whole.Errors).Key);
        Assert.Equal(2, whole.Failed);
    }

    [Fact]
    public async Task An_interrupted_run_returns_partial_results_labelled_partial()
    {
        await using var server = await ChatServer.StartAsync(new ScriptedChatBackend(pieceDelay: TimeSpan.FromMilliseconds(40)), new ChatServerOptions());
        using var stop = new CancellationTokenSource();
        int done = 0;
        var r = await ServeBenchmark.RunAsync(Options(server.Url, 40, true), BenchmarkPrompts.Synthetic(8, 40).Prompts, 2, stop.Token,
            _ => { if (Interlocked.Increment(ref done) == 3) stop.Cancel(); }); // Ctrl-C after the third request
        Assert.True(r.Partial);
        Assert.InRange(r.Succeeded, 3, 4); // the one in flight at the interrupt may have just finished too
        Assert.Equal(0, r.Failed); // abandoned requests are not failures
        Assert.Equal($"interrupted after {r.Succeeded} of 40 requests finished", r.StoppedReason);
    }

    [Theory]
    [InlineData("http://h:1", "http://h:1/v1/chat/completions")]
    [InlineData("http://h:1/v1", "http://h:1/v1/chat/completions")]
    [InlineData("http://h:1/v1/", "http://h:1/v1/chat/completions")]
    [InlineData("http://h:1/v1/chat/completions", "http://h:1/v1/chat/completions")]
    public void Urls_are_completed_to_the_chat_endpoint(string given, string used) =>
        Assert.Equal(used, ServeRequestSender.CompletionsUrl(given).ToString());

    [Fact]
    public void Percentiles_interpolate_like_numpy()
    {
        var s = Percentiles.Of([4, 1, 3, 2]);
        Assert.Equal((2.5, 2.5, 3.7, 3.97), (s.Mean, s.P50, Math.Round(s.P90, 9), Math.Round(s.P99, 9)));
    }
}
