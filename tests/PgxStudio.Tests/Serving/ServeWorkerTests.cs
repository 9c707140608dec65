using System.ClientModel;
using System.Collections.Concurrent;
using OpenAI;
using OpenAI.Chat;
using PgxStudio.Jobs;
using PgxStudio.Serving;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Serving;

/// <summary>The worker's life: "ready" with a URL that answers, then a graceful stop; and `pgx serve` as a real process.</summary>
public sealed class ServeWorkerTests
{
    [Fact]
    public async Task Announces_ready_with_a_working_url_and_stops_on_request()
    {
        var events = new ConcurrentQueue<WorkerEvent>();
        using var stop = new CancellationTokenSource();
        var backend = new ScriptedChatBackend();
        var run = ServeWorker.RunAsync(new ServeModelSpec("unused", null), new ChatServerOptions(),
            (_, _) => Task.FromResult<IChatBackend>(backend), events.Enqueue, stop.Token);

        var ready = await Eventually.Get(() => Task.FromResult(events.FirstOrDefault(e => e.Event == WorkerEvent.Names.Ready)),
            e => e is not null, TimeSpan.FromSeconds(20), "the ready event");
        var baseUrl = ready!.Data!.Value.GetProperty("base_url").GetString()!;
        Assert.StartsWith("http://127.0.0.1:", baseUrl);
        Assert.Equal("scripted-echo", ready.Data.Value.GetProperty("model").GetString());
        var client = new ChatClient("scripted-echo", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(baseUrl) });
        Assert.Equal("echo: ping", (await client.CompleteChatAsync([new UserChatMessage("ping")])).Value.Content[0].Text);

        stop.Cancel();
        Assert.Equal(WorkerExitCodes.Succeeded, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(WorkerEvent.Names.Finished, events.Last().Event);
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(baseUrl + "/models"));
    }

    [Fact]
    public async Task A_port_in_use_is_one_sentence_and_exit_code_2()
    {
        await using var first = await ChatServer.StartAsync(new ScriptedChatBackend(), new ChatServerOptions());
        var events = new ConcurrentQueue<WorkerEvent>();
        var code = await ServeWorker.RunAsync(new ServeModelSpec("unused", null), new ChatServerOptions { Port = first.Url.Port },
            (_, _) => Task.FromResult<IChatBackend>(new ScriptedChatBackend()), events.Enqueue, CancellationToken.None);
        Assert.Equal(WorkerExitCodes.InvalidInput, code);
        Assert.Contains($"Cannot listen on 127.0.0.1:{first.Url.Port}", events.Last(e => e.Event == WorkerEvent.Names.Error).Message);
    }

    [Fact]
    public void Pgx_serve_with_a_missing_model_folder_says_so_and_exits_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "pgx-no-such-model-" + Guid.NewGuid().ToString("N"));
        var (code, stdout, _) = Pgx.Run(TimeSpan.FromSeconds(60), "serve", "--model", missing, "--port", "0");
        Assert.Equal(WorkerExitCodes.InvalidInput, code);
        var error = stdout.Split('\n').Select(WorkerEvent.TryParse).Single(e => e?.Event == WorkerEvent.Names.Error)!;
        Assert.Contains(missing, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Pgx_serve_with_an_impossible_port_says_so_and_exits_2()
    {
        var (code, _, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "serve", "--model", "m", "--port", "70000");
        Assert.Equal(WorkerExitCodes.InvalidInput, code);
        Assert.Contains("--port 70000 is not a TCP port", stderr);
    }
}
