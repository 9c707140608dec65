using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Benchmark;
using PgxStudio.Components.Pages.Machine;
using PgxStudio.Serving;
using PgxStudio.Tests.Serving;

namespace PgxStudio.Tests.Components;

/// <summary>The System and Benchmark pages show the loaded model's /metrics while one is loaded.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public sealed class ServeLoadPanelTests
{
    [Fact]
    public async Task System_and_benchmark_pages_show_running_waiting_KV_and_token_counts_of_the_loaded_model()
    {
        // Eight pieces of 750 ms: the answer runs for about six seconds, three of the panel's two-second reads, so one
        // of them sees it running even when a busy machine delays a read.
        var backend = new ScriptedChatBackend("m", pieceDelay: TimeSpan.FromMilliseconds(750));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        await using var ctx = new StudioComponentContext();
        var system = ctx.Render<SystemPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Empty(system.FindAll("#serve-load")); // nothing loaded, nothing shown

        ctx.Services.GetRequiredService<LoadedChatModels>().Add(new LoadedChatModel(4, "m", new Uri(server.Url, "v1").ToString(), "alice", DateTime.UtcNow));
        system.WaitForAssertion(() => Assert.Equal("0", system.Find(".serve-generation-tokens").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("Serving m now", system.Find("#serve-load").TextContent);

        using var http = new HttpClient { BaseAddress = server.Url };
        var answering = http.PostAsync("v1/chat/completions", ServerTests.Json("""{"messages":[{"role":"user","content":"a b c d e f g"}]}"""));
        system.WaitForAssertion(() => Assert.Equal("1", system.Find(".serve-running").TextContent), TimeSpan.FromSeconds(20));
        Assert.Equal("25% · 0 of 256 tokens", system.Find(".serve-kv").TextContent.Replace("\u00a0", " "));
        (await answering).EnsureSuccessStatusCode();
        system.WaitForAssertion(() => Assert.Equal("8", system.Find(".serve-generation-tokens").TextContent), TimeSpan.FromSeconds(20));
        Assert.Equal("1", system.Find(".serve-finished").TextContent);

        var benchmark = ctx.Render<BenchmarkPage>(p => p.AddCascadingValue(ctx.Session));
        benchmark.WaitForAssertion(() => Assert.Equal("8", benchmark.Find(".serve-generation-tokens").TextContent), TimeSpan.FromSeconds(10));

        await server.StopAsync();
        system.WaitForAssertion(() => Assert.Equal("Its /metrics does not answer.", system.Find("#serve-load-missing").TextContent), TimeSpan.FromSeconds(15));
    }
}
