namespace PgxStudio.Engine.Quantization;

/// <summary>
/// bitsandbytes' signed 8-bit dynamic data type (`create_dynamic_map(signed=True)`, 7 exponent bits): 256 sorted
/// float32 values in [−0.99, 1], dense near zero. Double quantization stores each 4-bit block's absmax as an index
/// into this map. bitsandbytes builds it on the CPU with torch ops; the engine repeats the same float32 steps so
/// the table is identical bit for bit without depending on which libtorch is loaded.
/// </summary>
public static class DynamicMap
{
    // Declared before Signed: static initializers run in the order they are written.
    static readonly double[] Decades = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

    public static IReadOnlyList<float> Signed { get; } = Build();

    static float[] Build()
    {
        const int exponentBits = 7;
        var values = new List<float>(256) { 0f, 1f };
        for (var i = 0; i < exponentBits; i++)
        {
            // 2^i + 1 evenly spaced boundaries in [0.1, 1]; each value is the mean of two neighbours, scaled by a decade.
            var boundaries = Linspace(0.1f, 1f, (1 << i) + 1);
            // Python's 10 ** (i - 6) is the double nearest that decade, which torch rounds to float32 before multiplying.
            var decade = (float)Decades[i];
            for (var m = 0; m + 1 < boundaries.Length; m++)
            {
                var mean = (boundaries[m] + boundaries[m + 1]) / 2f;
                values.Add(decade * mean);
                values.Add(-decade * mean);
            }
        }
        values.Sort();
        return [.. values];
    }

    /// <summary>
    /// torch.linspace for float32 as PyTorch 2's CPU kernel computes it: start + step·i for the first half and
    /// end − step·(n−1−i) for the rest, each a single fused multiply-add (the kernel is compiled with FMA
    /// contraction). A test checks this against the loaded libtorch's own linspace.
    /// </summary>
    internal static float[] Linspace(float start, float end, int steps)
    {
        var step = (end - start) / (steps - 1);
        var half = steps / 2;
        var result = new float[steps];
        for (var i = 0; i < steps; i++)
            result[i] = i < half
                ? MathF.FusedMultiplyAdd(step, i, start)
                : MathF.FusedMultiplyAdd(-step, steps - 1 - i, end);
        return result;
    }
}
