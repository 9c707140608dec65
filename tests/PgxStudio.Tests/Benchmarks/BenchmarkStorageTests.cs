using Microsoft.EntityFrameworkCore;
using PgxStudio.Benchmarks;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>Benchmark results in SQLite: the migration, a row's round trip, and who may delete it.</summary>
[Collection(StudioCollection.Name)]
public sealed class BenchmarkStorageTests
{
    /// <summary>A level's result as the benchmark reports it, with distinct figures so a swapped column shows.</summary>
    public static ServeBenchmarkResult SampleResult(int parallel, double scale = 1) => new()
    {
        Url = "http://127.0.0.1:8000/v1/chat/completions", Model = "Qwen3-0.6B-AWQ", Parallel = parallel, Number = 20, Stream = true,
        MaxTokens = 128, Prompts = "synthetic ~128 tokens (chars/4)", StartedAt = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero),
        DurationSeconds = 10, Succeeded = 19, Failed = 1, Errors = new Dictionary<string, int> { ["HTTP 503: busy"] = 1 },
        TotalInputTokens = 2432, TotalOutputTokens = 2300, StreamedChunks = 2299, TokenCounting = "usage",
        RequestThroughput = 1.9 * scale, OutputTokenThroughput = 230 * scale, TotalTokenThroughput = 473.2 * scale,
        AverageInputTokens = 128, AverageOutputTokens = 121.05,
        Ttft = new LatencyStats(0.012 * scale, 0.011, 0.02, 0.03, 19),
        Tpot = new LatencyStats(0.004, 0.0041, 0.005, 0.006, 19),
        Itl = new LatencyStats(0.0042, 0.004, 0.0052, 0.0061, 2280),
        E2el = new LatencyStats(0.5, 0.49, 0.6, 0.7, 19),
    };

    [Fact]
    public async Task A_fresh_database_migrates_to_the_model_and_a_result_round_trips()
    {
        await using var services = new BenchmarkServices();
        await using (var db = await services.Get<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Contains(await db.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_BenchmarkResults", StringComparison.Ordinal));
            Assert.False(db.Database.HasPendingModelChanges()); // the snapshot matches the model (CI checks the same)
        }

        var samples = new BenchmarkSamples([0.01, 0.012, 0.014], [0.004, 0.0041]);
        var saved = await services.History.SaveAsync(BenchmarkRecords.From(SampleResult(4), samples, "vLLM AWQ", "sweep-1", "alice", new DateTime(2026, 11, 28, 12, 0, 10, DateTimeKind.Utc)));
        var back = Assert.Single(await services.History.GetAsync([saved.Id]));

        Assert.Equal(("vLLM AWQ", "sweep-1", "alice", "Qwen3-0.6B-AWQ", 4, 20, 128, true), (back.Name, back.SweepId, back.Owner, back.Model, back.Parallel, back.Number, back.MaxTokens, back.Stream));
        Assert.Equal(("synthetic ~128 tokens (chars/4)", 19, 1, "HTTP 503: busy", false), (back.Prompts, back.Succeeded, back.Failed, back.FirstError, back.Partial));
        Assert.Equal((1.9, 230.0, 473.2), (back.RequestThroughput, back.OutputTokenThroughput, back.TotalTokenThroughput));
        Assert.Equal((0.012, 0.011, 0.02, 0.03), (back.TtftMean, back.TtftP50, back.TtftP90, back.TtftP99));
        Assert.Equal((0.004, 0.0041, 0.005, 0.006), (back.TpotMean, back.TpotP50, back.TpotP90, back.TpotP99));
        Assert.Equal((0.0042, 0.004, 0.0052, 0.0061), (back.ItlMean, back.ItlP50, back.ItlP90, back.ItlP99));
        Assert.Equal((0.5, 0.49, 0.6, 0.7), (back.E2elMean, back.E2elP50, back.E2elP90, back.E2elP99));
        Assert.Equal(new DateTime(2026, 11, 28, 12, 0, 0), back.CreatedAt);
        Assert.Equal(SampleResult(4) with { Errors = null! }, BenchmarkRecords.Result(back)! with { Errors = null! });
        Assert.Equal(samples.Ttft, BenchmarkSamples.Parse(back.SamplesJson).Ttft);
        Assert.Equal(samples.Tpot, BenchmarkSamples.Parse(back.SamplesJson).Tpot);
    }

    [Fact]
    public async Task Only_whoever_ran_a_result_or_a_local_admin_may_delete_it()
    {
        await using var services = new BenchmarkServices();
        var history = services.History;
        var first = await history.SaveAsync(BenchmarkRecords.From(SampleResult(1), BenchmarkSamples.Empty, "a", "s", "alice", DateTime.UtcNow));
        var second = await history.SaveAsync(BenchmarkRecords.From(SampleResult(2), BenchmarkSamples.Empty, "b", "s", "alice", DateTime.UtcNow));

        var e = await Assert.ThrowsAsync<RunRequestException>(() => history.DeleteAsync(first.Id, new StudioUser("bob", false)));
        Assert.Equal($"Benchmark result {first.Id} belongs to alice; only they or an admin can delete it.", e.Message);
        await history.DeleteAsync(first.Id, new StudioUser("alice", false));
        await history.DeleteAsync(second.Id, new StudioUser("root", true));
        Assert.Empty(await history.ListAsync());
        var gone = await Assert.ThrowsAsync<RunRequestException>(() => history.DeleteAsync(first.Id, new StudioUser("alice", false)));
        Assert.Contains("does not exist", gone.Message);
    }
}
