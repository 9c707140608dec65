using System.Diagnostics;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Benchmarks;

/// <summary>
/// This machine's own ceilings, measured in the same run as a benchmark so the ratio means something here:
/// memory bandwidth (a large tensor copy: bytes read + written per second) and dense matmul FLOP/s per dtype.
/// </summary>
public static class MachineLimits
{
    public static double MemoryBandwidthBytesPerSecond(Device device, long megabytes = 256, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        long elements = megabytes * 1024 * 1024 / 4;
        var source = rand(elements, device: device);
        var target = empty(elements, device: device);
        target.copy_(source); // warm-up: pages touched, threads started
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            Synchronize(device);
            var clock = Stopwatch.StartNew();
            target.copy_(source);
            Synchronize(device);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * elements * 4 / best;
    }

    /// <summary>
    /// Best of <paramref name="repeats"/> square matmuls. A GPU needs a large one to approach its peak (a 1024³ bf16
    /// matmul takes microseconds on an H100, mostly launch and synchronization), so CUDA defaults to 8192.
    /// </summary>
    public static double MatmulFlopsPerSecond(ScalarType dtype, Device device, int? size = null, int repeats = 5)
    {
        int n = size ?? (device.type == TorchSharp.DeviceType.CUDA ? 8192 : 1024);
        return MatmulFlopsPerSecondAt(dtype, device, n, repeats);
    }

    static double MatmulFlopsPerSecondAt(ScalarType dtype, Device device, int size, int repeats)
    {
        using var scope = NewDisposeScope();
        var a = randn([size, size], device: device).to(dtype);
        var b = randn([size, size], device: device).to(dtype);
        a.matmul(b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            Synchronize(device);
            var clock = Stopwatch.StartNew();
            using (a.matmul(b)) Synchronize(device);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * size * size * (double)size / best;
    }

    public static void Synchronize(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize();
    }
}
