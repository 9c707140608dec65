using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>The one rule both blockwise formats share: value i belongs to block i / blockSize, and the last block may be short.</summary>
internal static class BlockScales
{
    public static long Count(long elements, int blockSize) => (elements + blockSize - 1) / blockSize;

    /// <summary>Multiplies each block of <paramref name="values"/> (1-D, contiguous) by its scale in place, in float32 as bitsandbytes' kernels do.</summary>
    public static void ScaleInPlace(Tensor values, Tensor scales, int blockSize)
    {
        var length = values.numel();
        var full = length / blockSize;
        if (full > 0)
            values.narrow(0, 0, full * blockSize).view(full, blockSize).mul_(scales.narrow(0, 0, full).unsqueeze(1));
        if (full * blockSize < length)
            values.narrow(0, full * blockSize, length - full * blockSize).mul_(scales.narrow(0, full, 1));
    }
}
