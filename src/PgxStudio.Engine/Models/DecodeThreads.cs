using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// The threads of one decode step: libtorch's operations run on the calling thread alone and the decode-step product
/// (<see cref="SmallBatchLinear"/>) splits over all of them with its own helpers. Both at once fought for the cores:
/// libtorch's OpenMP workers spin after every small operation, and on a 2-core machine a spinning worker can take the
/// core the product's helper waits for. Served (bf16 Qwen3-0.6B, 2-core AMD EPYC, two rounds each), parallel 8 gave
/// 37.3 and 39.4 output tokens/s with this against 35.2 and 37.5 without; `pgx bench decode` alone shows no difference
/// beyond noise (PGX_DECODE_THREADS=0 turns it off to compare). Per thread: it changes nothing for other threads.
/// </summary>
public readonly struct DecodeThreads : IDisposable
{
    static readonly bool Enabled = Environment.GetEnvironmentVariable("PGX_DECODE_THREADS") != "0";
    [ThreadStatic] static int _width;
    readonly int _restore;

    DecodeThreads(int restore) => _restore = restore;

    /// <summary>The threads the product may use on this thread now: all of them inside a decode step.</summary>
    public static int ProductWidth => Math.Max(_width, get_num_threads());

    public static DecodeThreads Enter()
    {
        int threads = get_num_threads();
        if (threads <= 1 || !Enabled || !SmallBatchLinear.Enabled || _width != 0) return default;
        _width = threads;
        set_num_threads(1);
        return new DecodeThreads(threads);
    }

    public void Dispose()
    {
        if (_restore == 0) return;
        set_num_threads(_restore);
        _width = 0;
    }
}
