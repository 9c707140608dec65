using PgxStudio.Admission;
using PgxStudio.Engine.Planning;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Admission;

public class AdmissionDecisionTests
{
    static readonly AvailableMemory Free39 = new(39_000_000_000, "MemAvailable in /proc/meminfo");

    [Fact]
    public void An_unknown_need_or_unknown_free_memory_never_holds_a_run_back()
    {
        Assert.True(new AdmissionDecision(null, Free39, []).Fits);
        Assert.True(new AdmissionDecision(48_000_000_000, null, []).Fits);
        Assert.True(new AdmissionDecision(39_000_000_000, Free39, []).Fits);
        Assert.False(new AdmissionDecision(39_000_000_001, Free39, []).Fits);
    }

    [Fact]
    public void The_reason_names_each_model_that_holds_memory_with_its_owner_or_else_where_free_memory_was_read()
    {
        var chat = new LoadedChatModel(4, "qwen3-8b", "http://127.0.0.1:5001/v1", "carol", DateTime.UtcNow);
        var other = new LoadedChatModel(5, "llama-3.1-8b", "http://127.0.0.1:5002/v1", "dan", DateTime.UtcNow);
        Assert.Equal("waiting: chat model qwen3-8b (run #4, carol) holds 17.0 GB; chat model llama-3.1-8b (run #5, dan) holds memory; needs 48.0 GB, 39.0 GB free",
            new AdmissionDecision(48_000_000_000, Free39, [new(chat, 17_000_000_000), new(other, null)]).Reason().ToString());
        Assert.Equal("waiting for memory: needs 48.0 GB, 39.0 GB free (MemAvailable in /proc/meminfo)",
            new AdmissionDecision(48_000_000_000, Free39, []).Reason().ToString());
    }
}
