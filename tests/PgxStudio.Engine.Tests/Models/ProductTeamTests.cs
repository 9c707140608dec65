using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>The helpers that share a decode-step product: every chunk runs once, callers at once stay correct, a failure surfaces.</summary>
public class ProductTeamTests
{
    [Fact]
    public void Runs_every_chunk_once_whether_the_helpers_were_spinning_or_asleep()
    {
        foreach (int pause in new[] { 0, 5 }) // 5 ms: longer than a helper spins, so it has gone to sleep
            foreach (int chunks in new[] { 1, 3, 37 })
                for (int round = 0; round < 30; round++)
                {
                    var counts = new int[chunks];
                    var threads = new HashSet<int>();
                    ProductTeam.Run(4, chunks, chunk =>
                    {
                        Interlocked.Increment(ref counts[chunk]);
                        lock (threads) threads.Add(Environment.CurrentManagedThreadId);
                        Thread.SpinWait(2000); // long enough for a spinning helper to claim some
                    });
                    Assert.All(counts, count => Assert.Equal(1, count));
                    Assert.True(threads.Count <= Math.Min(4, chunks), $"{threads.Count} threads shared {chunks} chunks");
                    if (pause > 0 && round % 10 == 0) Thread.Sleep(pause);
                }
    }

    [Fact]
    public void A_failing_chunk_reaches_the_caller_and_the_team_keeps_working()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => ProductTeam.Run(2, 6, chunk => { if (chunk == 4) throw new InvalidOperationException("chunk 4 failed"); }));
        Assert.Equal("chunk 4 failed", failure.Message);
        var counts = new int[6];
        ProductTeam.Run(2, 6, chunk => Interlocked.Increment(ref counts[chunk]));
        Assert.Equal([1, 1, 1, 1, 1, 1], counts);
    }

    [Fact]
    public void Products_asked_from_several_threads_at_once_equal_the_product_asked_alone()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var weight = randn(1000, 256, generator: new TorchSharp.torch.Generator(5));
        var inputs = Enumerable.Range(0, 4).Select(i => randn(3, 256, generator: new TorchSharp.torch.Generator((ulong)i))).ToArray();
        Tensor Product(Tensor x)
        {
            using var noGrad = no_grad();
            return SmallBatchLinear.Applies(x, weight) ? SmallBatchLinear.Forward(x, weight) : nn.functional.linear(x, weight);
        }
        var alone = inputs.Select(Product).ToArray();
        var together = new Tensor[inputs.Length][];
        Parallel.For(0, inputs.Length, t => together[t] = Enumerable.Range(0, 20).Select(_ => Product(inputs[t])).ToArray());
        for (int t = 0; t < inputs.Length; t++)
            Assert.All(together[t], result => Assert.True(result.eq(alone[t]).all().item<bool>(), $"thread {t} got a different product"));
    }
}
