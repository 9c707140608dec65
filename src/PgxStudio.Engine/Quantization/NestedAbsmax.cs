using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// Double quantization's state (bitsandbytes' `compress_statistics=True`: QuantState.offset and state2): the 4-bit
/// blocks' absmax values minus their mean, 8-bit quantized in blocks of 256 with the signed dynamic map. It cuts the
/// statistics from 4 bytes per 64 weights to about 1, which is the point of double quantization in QLoRA.
/// </summary>
public sealed class NestedAbsmax : IDisposable
{
    /// <summary>uint8 index into <see cref="Map"/> per 4-bit block (bitsandbytes' QuantState.absmax when nested).</summary>
    public Tensor Codes { get; }

    /// <summary>float32 absmax of every 256 block of (absmax − offset) (state2.absmax).</summary>
    public Tensor Absmax { get; }

    /// <summary>The mean of the 4-bit absmax values, float32 (QuantState.offset).</summary>
    public float Offset { get; }

    /// <summary>The signed dynamic map, float32 [256] (state2.code).</summary>
    public Tensor Map { get; }

    NestedAbsmax(Tensor codes, Tensor absmax, float offset, Tensor map)
    {
        Codes = codes.DetachFromDisposeScope();
        Absmax = absmax.DetachFromDisposeScope();
        Offset = offset;
        Map = map.DetachFromDisposeScope();
    }

    public static NestedAbsmax Quantize(Tensor absmax)
    {
        var offset = Mean(absmax);
        var map = tensor(DynamicMap.Signed.ToArray(), device: absmax.device);
        using var centred = absmax - offset;
        var (codes, nested) = EightBitBlockwise.Quantize(centred, map);
        return new NestedAbsmax(codes, nested, offset, map);
    }

    /// <summary>
    /// The float32 absmax per 4-bit block: map[code] · nested absmax, plus the offset, in float32 as bitsandbytes'
    /// `dequantize_4bit` does before it scales the 4-bit codes.
    /// </summary>
    public Tensor Dequantize() => EightBitBlockwise.Dequantize(Codes, Absmax, Map).add_(Offset);

    /// <summary>
    /// bitsandbytes takes torch's float32 mean, whose summation order differs between CPU and GPU; the engine sums
    /// in double in block order and rounds once, so the offset is the same on every device. The values are a
    /// small vector (one per 64 weights), read to the host once when the weight is quantized.
    /// </summary>
    static float Mean(Tensor absmax)
    {
        using var host = absmax.to(ScalarType.Float32, CPU).contiguous();
        var sum = 0.0;
        foreach (var value in host.data<float>()) sum += value;
        return (float)(sum / host.numel());
    }

    public long StorageBytes => Codes.numel() + 4 * Absmax.numel() + sizeof(float) + 4 * Map.numel();

    public void Dispose()
    {
        Codes.Dispose();
        Absmax.Dispose();
        Map.Dispose();
    }
}
