using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// The threads of one decode step: libtorch's operations run on the calling thread alone and the decode-step product
/// (<see cref="SmallBatchLinear"/>) splits over all of them with its own helpers. Both at once fought for the cores:
/// libtorch's OpenMP workers spin after every small operation, and on a 2-core machine the spinning worker took the
/// core the product's helper was waiting for. In one build, three rounds each on a 2-core AMD EPYC (bf16 Qwen3-0.6B),
/// batch 1 decoded 13–15 tokens/s with this and 11–12 without, batch 16 59–78 and 47–52 (PGX_DECODE_THREADS=0 turns
/// it off to compare). Per thread: it changes nothing for other threads.
/// </summary>
public readonly struct DecodeThreads : IDisposable
{
    [ThreadStatic] static int _width;
    readonly int _restore;

    DecodeThreads(int restore) => _restore = restore;

    /// <summary>The threads the product may use on this thread now: all of them inside a decode step.</summary>
    public static int ProductWidth => Math.Max(_width, get_num_threads());

    public static DecodeThreads Enter()
    {
        int threads = get_num_threads();
        if (threads <= 1 || !SmallBatchLinear.Enabled || _width != 0 || Environment.GetEnvironmentVariable("PGX_DECODE_THREADS") == "0") return default;
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
