using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// bitsandbytes' int8 weight storage (Int8Params, used by Linear8bitLt with `load_in_8bit`): the weight is first
/// rounded to float16, as Int8Params does, then each row keeps its absmax (SCB, float32) and int8 codes
/// CB = round(w · 127/absmax) with ties to even. bitsandbytes' torch path forms 127/absmax as reciprocal × 127
/// (`127.0 / t` in PyTorch) and the engine does the same; the CUDA kernel's fast approximate division can differ
/// by an ulp in the scale. Dequantization is CB · SCB · (1/127), as `int8_vectorwise_dequant` computes it.
/// </summary>
public static class Int8RowQuantizer
{
    /// <summary>float16's largest finite value: bitsandbytes rounds the weight to float16 first, so larger values become infinite.</summary>
    public const float Float16Max = 65504f;

    /// <summary>int8 codes [rows, cols] (CB) and float32 row absmax [rows] (SCB).</summary>
    public static (Tensor Codes, Tensor Scales) Quantize(Tensor weight)
    {
        var (rows, cols) = (weight.shape[0], weight.shape[1]);
        var codes = empty([rows, cols], ScalarType.Int8, weight.device);
        var scales = empty([rows], ScalarType.Float32, weight.device);
        var chunkRows = Math.Max(1, FourBitQuantizer.ChunkElements / Math.Max(1, cols));
        for (long start = 0; start < rows; start += chunkRows)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(chunkRows, rows - start);
            var half = weight.narrow(0, start, count).to(ScalarType.Float16).to(ScalarType.Float32);
            var absmax = half.abs().amax([1]);
            scales.narrow(0, start, count).copy_(absmax);
            var scale = absmax.reciprocal().mul_(127);
            // A row of zeros scales 0 by ∞; the CUDA kernel's round-to-int turns that NaN into 0.
            var rounded = (half * scale.unsqueeze(1)).round_().nan_to_num_(0);
            codes.narrow(0, start, count).copy_(rounded);
        }
        return (codes, scales);
    }

    /// <summary>Writes CB · SCB · (1/127), float32 then rounded to the output dtype, into <paramref name="output"/> [rows, cols].</summary>
    public static void DequantizeInto(Tensor codes, Tensor scales, Tensor output)
    {
        var (rows, cols) = (codes.shape[0], codes.shape[1]);
        var chunkRows = Math.Max(1, FourBitQuantizer.ChunkElements / Math.Max(1, cols));
        for (long start = 0; start < rows; start += chunkRows)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(chunkRows, rows - start);
            var values = codes.narrow(0, start, count).to(ScalarType.Float32)
                .mul_(scales.narrow(0, start, count).unsqueeze(1))
                .mul_(1f / 127f);
            output.narrow(0, start, count).copy_(values);
        }
    }
}
