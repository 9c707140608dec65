using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// bitsandbytes' blockwise 8-bit quantization with the signed dynamic map (`quantize_blockwise`, CUDA
/// `kQuantizeBlockwise` with `dQuantize&lt;0&gt;`), which double quantization applies to the 4-bit absmax values in
/// blocks of 256. The kernel binary-searches the sorted map from index 127 down to an even index p, then rounds to
/// the nearer neighbour by the float32 midpoint; ties fall to p. Vectorised here: with j the number of map values
/// below x, the search ends at p = j when j is even (a tie keeps j) and at p = j − 1 when j is odd (a tie keeps j − 1).
/// Values are scaled by the IEEE float32 reciprocal of the block's absmax, as in <see cref="FourBitQuantizer"/>.
/// </summary>
public static class EightBitBlockwise
{
    const int BlockSize = QuantizationSettings.NestedBlockSize;

    /// <summary>uint8 codes [n] and the float32 absmax of every block of 256.</summary>
    public static (Tensor Codes, Tensor Absmax) Quantize(Tensor values, Tensor map)
    {
        using var scope = NewDisposeScope();
        var n = values.numel();
        var blocks = BlockScales.Count(n, BlockSize);
        var x = values.to(ScalarType.Float32);
        if (blocks * BlockSize != n) x = nn.functional.pad(x, [0, blocks * BlockSize - n]);
        var byBlock = x.view(blocks, BlockSize);
        var absmax = byBlock.abs().amax([1]);
        var scaled = (byBlock * absmax.reciprocal().unsqueeze(1)).view(-1);

        var below = bucketize(scaled, map);
        var lower = (below - 1).clamp_(0, 255);
        var upper = below.clamp(0, 255);
        var midpoint = (map.index_select(0, lower) + map.index_select(0, upper)) * 0.5f;
        var endsOnEven = below.bitwise_and(1).eq(0);
        var code = where(endsOnEven,
            where(scaled.lt(midpoint), lower, upper),
            where(scaled.gt(midpoint), upper, lower));
        // NaN (a block of zeros scaled by 1/0) fails every comparison, so the kernel's search runs down to code 0.
        code.masked_fill_(scaled.isnan(), 0);
        return (code.to(ScalarType.Byte).narrow(0, 0, n).clone().MoveToOuterDisposeScope(), absmax.MoveToOuterDisposeScope());
    }

    /// <summary>map[code] · absmax of the code's block, float32, as `kDequantizeBlockwise` computes it.</summary>
    public static Tensor Dequantize(Tensor codes, Tensor absmax, Tensor map)
    {
        using var scope = NewDisposeScope();
        var values = map.index_select(0, codes.to(ScalarType.Int64));
        BlockScales.ScaleInPlace(values, absmax, BlockSize);
        return values.MoveToOuterDisposeScope();
    }
}
