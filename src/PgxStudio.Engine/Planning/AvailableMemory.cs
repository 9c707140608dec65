using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Planning;

/// <summary>
/// Memory a run may use now, and where the figure comes from. On the CPU and on a GB10, whose GPU shares the
/// 128 GB with the CPU, it is MemAvailable from /proc/meminfo; on a discrete CUDA GPU it is the device's free
/// memory (cudaMemGetInfo), falling back to MemAvailable where the CUDA runtime cannot be asked.
/// </summary>
public sealed record AvailableMemory(long Bytes, string Source)
{
    /// <summary>Where the figure comes from, in the words of the sentences that quote it.</summary>
    public const string CudaSource = "free CUDA device memory", MemAvailableSource = "MemAvailable in /proc/meminfo";

    public static AvailableMemory? Now(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA && CudaFree() is { } free) return new AvailableMemory(free, CudaSource);
        return MemAvailable() is { } bytes ? new AvailableMemory(bytes, MemAvailableSource) : null;
    }

    public static long? MemAvailable(string path = "/proc/meminfo")
    {
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], out var kib))
                return kib * 1024;
        return null;
    }

    /// <summary>cudaMemGetInfo from the CUDA runtime libtorch already loaded (its soname carries the major version).</summary>
    static unsafe long? CudaFree()
    {
        foreach (var name in new[] { "libcudart.so.13", "libcudart.so.12", "libcudart.so" })
        {
            if (!NativeLibrary.TryLoad(name, out var library)) continue;
            if (!NativeLibrary.TryGetExport(library, "cudaMemGetInfo", out var address)) continue;
            nuint free, total;
            var memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)address;
            return memGetInfo(&free, &total) == 0 ? (long)free : null;
        }
        return null;
    }
}
