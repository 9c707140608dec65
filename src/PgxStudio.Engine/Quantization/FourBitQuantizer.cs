using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// bitsandbytes' blockwise 4-bit quantization (`quantize_4bit` / `dequantize_4bit`, CUDA kernels
/// `kQuantizeBlockwise` and `kDequantizeBlockwise`): the row-major flattened weight is cut into blocks of 64,
/// each block keeps its float32 absmax, each value times 1/absmax takes the code the kernel's decision tree picks,
/// and two codes share a byte with the first in the high nibble. A last block shorter than 64 is quantized by its
/// own absmax and an odd count pads the last low nibble with the code of 0, as the CUDA kernel's zero-filled load does.
/// 1/absmax is the IEEE float32 reciprocal, as in bitsandbytes' torch path and CPU kernel; its CUDA build uses
/// --use_fast_math, whose reciprocal may differ by an ulp and so move a value lying within an ulp of a threshold.
/// Work goes in chunks of whole blocks, so transients in either direction stay proportional to one chunk.
/// </summary>
public static class FourBitQuantizer
{
    /// <summary>Elements per chunk: a multiple of the block size, small enough that transients stay a few tens of MB.</summary>
    internal const long ChunkElements = 1L << 22;

    const int BlockSize = QuantizationSettings.FourBitBlockSize;

    /// <summary>Packed codes, uint8 [(n+1)/2, 1] like Params4bit's data, and the float32 absmax of every block.</summary>
    public static (Tensor Packed, Tensor Absmax) Quantize(Tensor flat, string type)
    {
        _ = FourBitCodes.Table(type); // refuses a type it does not know before allocating anything
        var n = flat.numel();
        var device = flat.device;
        var packed = empty([(n + 1) / 2, 1], ScalarType.Byte, device);
        var absmax = empty([BlockScales.Count(n, BlockSize)], ScalarType.Float32, device);
        using var outer = NewDisposeScope();
        var thresholds = tensor(type == "nf4" ? [.. FourBitCodes.NormalFloatThresholds] : FourBitCodes.FloatThresholds.ToArray(), device: device);
        var lowBits = tensor(FourBitCodes.FloatCodeByRank.ToArray(), device: device);
        var packedBytes = packed.view(-1);
        for (long start = 0; start < n; start += ChunkElements)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(ChunkElements, n - start);
            var blocks = BlockScales.Count(length, BlockSize);
            var values = flat.narrow(0, start, length).to(ScalarType.Float32);
            // Zero padding changes no absmax, and it is what the kernel quantizes into a final odd low nibble.
            if (blocks * BlockSize != length) values = nn.functional.pad(values, [0, blocks * BlockSize - length]);
            var byBlock = values.view(blocks, BlockSize);
            var blockAbsmax = byBlock.abs().amax([1]);
            absmax.narrow(0, start / BlockSize, blocks).copy_(blockAbsmax);
            // x · (1/absmax), both rounded to float32 as the kernels do; an all-zero block gives 0 · ∞ = NaN.
            var scaled = (byBlock * blockAbsmax.reciprocal().unsqueeze(1)).view(-1);
            var codes = type == "nf4" ? NormalFloatCodes(scaled, thresholds) : FloatCodes(scaled, thresholds, lowBits);
            codes.masked_fill_(scaled.isnan(), FourBitCodes.NotANumberCode);
            var used = (length + 1) / 2 * 2;
            var pairs = codes.narrow(0, 0, used).view(-1, 2);
            var bytes = pairs.select(1, 0).bitwise_left_shift(4).bitwise_or_(pairs.select(1, 1));
            packedBytes.narrow(0, start / 2, used / 2).copy_(bytes);
        }
        return (packed, absmax);
    }

    /// <summary>`dQuantizeNF4`: the number of NF4 thresholds a value exceeds.</summary>
    static Tensor NormalFloatCodes(Tensor scaled, Tensor thresholds) =>
        bucketize(scaled, thresholds, outInt32: true).to(ScalarType.Byte);

    /// <summary>`dQuantizeFP4`: sign bit for negatives, then the magnitude's rank among the thresholds mapped to its three code bits.</summary>
    static Tensor FloatCodes(Tensor scaled, Tensor thresholds, Tensor lowBits)
    {
        var rank = bucketize(scaled.abs(), thresholds);
        var sign = scaled.lt(0).to(ScalarType.Byte).bitwise_left_shift(3);
        return lowBits.index_select(0, rank).bitwise_or_(sign);
    }

    /// <summary>
    /// Writes code · absmax, computed in float32 as `kDequantizeBlockwise` does and then rounded to the output's
    /// dtype, into <paramref name="output"/> (a contiguous 1-D view of n elements). Each packed byte indexes a
    /// 256-row table of its two nibbles' values, which unpacks and looks up in one gather.
    /// </summary>
    public static void DequantizeInto(Tensor packed, Tensor absmax, Tensor table, Tensor output)
    {
        var n = output.numel();
        using var outer = NewDisposeScope();
        var byteValues = stack([table.repeat_interleave(16), table.repeat(16)], 1); // row b = (code[b >> 4], code[b & 15])
        var bytes = packed.view(-1);
        for (long start = 0; start < n; start += ChunkElements)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(ChunkElements, n - start);
            var index = bytes.narrow(0, start / 2, (length + 1) / 2).to(ScalarType.Int64); // int32 indices are widened inside index_select anyway
            var values = byteValues.index_select(0, index).view(-1).narrow(0, 0, length);
            BlockScales.ScaleInPlace(values, absmax.narrow(0, start / BlockSize, BlockScales.Count(length, BlockSize)), BlockSize);
            output.narrow(0, start, length).copy_(values);
        }
    }
}
