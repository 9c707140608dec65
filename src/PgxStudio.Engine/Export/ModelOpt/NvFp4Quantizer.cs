namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>One weight matrix in NVFP4: E2M1 values two per byte (even column in the low nibble), one E4M3 scale per
/// 16 values of a row, and the per-tensor FP32 second-level scale.</summary>
public sealed record NvFp4Weight(byte[] Packed, byte[] BlockScales, float GlobalScale);

/// <summary>
/// NVFP4 weight quantization as ModelOpt computes it (NVFP4QTensor): global scale = amax / (6·448), so the largest
/// block scale is 448; block scale = E4M3(block amax / (6·global)), 1.0 for an all-zero block; value = E2M1(w /
/// (block scale · global)). A value is recovered as E2M1 · E4M3 scale · global scale.
/// </summary>
public static class NvFp4Quantizer
{
    public const int GroupSize = 16;

    /// <summary>The second-level scale for a tensor (or fused group) whose largest magnitude is <paramref name="amax"/>.</summary>
    public static float GlobalScale(float amax) => amax > 0 ? amax / (Float4E2M1.Max * Float8E4M3.Max) : 1f;

    public static NvFp4Weight Quantize(float[] weights, int columns, float globalScale)
    {
        if (columns % GroupSize != 0) throw new ArgumentException($"NVFP4 needs rows of whole {GroupSize}-value blocks; a row has {columns} values.");
        int rows = weights.Length / columns, blocksPerRow = columns / GroupSize;
        var packed = new byte[weights.Length / 2];
        var scales = new byte[rows * blocksPerRow];
        Parallel.For(0, rows, row =>
        {
            for (int b = 0; b < blocksPerRow; b++)
            {
                int start = row * columns + b * GroupSize;
                var block = weights.AsSpan(start, GroupSize);
                float amax = 0;
                foreach (var v in block) amax = MathF.Max(amax, MathF.Abs(v));
                float scale = amax / (Float4E2M1.Max * globalScale);
                byte scaleCode = Float8E4M3.Encode(scale == 0 ? 1f : scale);
                scales[row * blocksPerRow + b] = scaleCode;
                float step = Float8E4M3.Decode(scaleCode) * globalScale;
                for (int i = 0; i < GroupSize; i += 2)
                {
                    byte even = Float4E2M1.Encode(block[i] / step), odd = Float4E2M1.Encode(block[i + 1] / step);
                    packed[(start + i) / 2] = (byte)((odd << 4) | even);
                }
            }
        });
        return new NvFp4Weight(packed, scales, globalScale);
    }
}
