using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>A decode step's threads: libtorch on one, the product on all, and everything as it was afterwards.</summary>
public class DecodeThreadsTests
{
    [Fact]
    public void Inside_a_step_libtorch_runs_on_one_thread_and_the_product_on_all_and_afterwards_both_are_restored()
    {
        TorchRuntime.Initialize();
        Exception? failure = null;
        // A thread of its own: libtorch's thread count is per thread, and the test must not change its runner's.
        var worker = new Thread(() =>
        {
            try
            {
                set_num_threads(2);
                int inside = SmallBatchLinear.Enabled ? 1 : 2; // without the product libtorch keeps every thread
                using (DecodeThreads.Enter())
                {
                    Assert.Equal(inside, get_num_threads());
                    Assert.Equal(2, DecodeThreads.ProductWidth);
                    using (DecodeThreads.Enter()) Assert.Equal(inside, get_num_threads()); // nested: no change
                    Assert.Equal(2, DecodeThreads.ProductWidth);
                }
                Assert.Equal(2, get_num_threads());
                Assert.Equal(2, DecodeThreads.ProductWidth);
            }
            catch (Exception e) { failure = e; }
        });
        worker.Start();
        worker.Join();
        if (failure is not null) throw failure;
    }
}
