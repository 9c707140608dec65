using PgxStudio.Engine.Native;
using PgxStudio.Engine.Quantization;
using static TorchSharp.torch;
using Reference = PgxStudio.Engine.Tests.Quantization.BitsAndBytesReference;

namespace PgxStudio.Engine.Tests.Quantization;

public class QuantizedWeightTests
{
    /// <summary>Shapes with one short block, full blocks, a short last block with an even count, an odd count, and several nested blocks.</summary>
    public static TheoryData<int, int, string, bool> FourBitCases()
    {
        var cases = new TheoryData<int, int, string, bool>();
        foreach (var (rows, cols) in new[] { (1, 50), (8, 64), (3, 100), (7, 33), (64, 1024), (257, 129) })
            foreach (var type in new[] { "nf4", "fp4" })
                foreach (var nested in new[] { false, true })
                    cases.Add(rows, cols, type, nested);
        return cases;
    }

    /// <summary>Normal(0, 0.02)-like values with a few outliers and one all-zero block, as real checkpoints have.</summary>
    internal static float[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        var w = new float[n];
        for (var i = 0; i < n; i++)
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            w[i] = (float)(normal * 0.02 * (random.Next(200) == 0 ? 20 : 1));
        }
        if (n >= 192) Array.Clear(w, 64, 64);
        return w;
    }

    static Tensor AsTensor(float[] w, int rows, int cols, ScalarType dtype = ScalarType.Float32) =>
        tensor(w, [rows, cols]).to(dtype);

    [Theory]
    [MemberData(nameof(FourBitCases))]
    public void Four_bit_codes_and_statistics_equal_the_reference(int rows, int cols, string type, bool nested)
    {
        TorchRuntime.Initialize();
        var w = Weights(rows * cols, seed: rows * 31 + cols);
        using var weight = AsTensor(w, rows, cols);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit(type, nested));

        var expected = Reference.Quantize4Bit(w, type);
        Assert.Equal(new long[] { (w.Length + 1) / 2, 1 }, q.PackedCodes!.shape);
        Assert.Equal(ScalarType.Byte, q.PackedCodes.dtype);
        Assert.Equal(expected.Packed, q.PackedCodes.data<byte>().ToArray());
        if (!nested)
        {
            Assert.Null(q.Nested);
            Assert.Equal(expected.Absmax, q.Absmax!.data<float>().ToArray());
            return;
        }
        Assert.Null(q.Absmax);
        var map = TorchBuiltDynamicMap();
        var statistics = Reference.QuantizeNested(expected.Absmax, map);
        Assert.Equal(statistics.Offset, q.Nested!.Offset);
        Assert.Equal(statistics.Codes, q.Nested.Codes.data<byte>().ToArray());
        Assert.Equal(statistics.Absmax, q.Nested.Absmax.data<float>().ToArray());
        Assert.Equal(map, q.Nested.Map.data<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(FourBitCases))]
    public void Four_bit_dequantization_equals_the_reference_and_stays_within_half_a_code_gap(int rows, int cols, string type, bool nested)
    {
        TorchRuntime.Initialize();
        var w = Weights(rows * cols, seed: rows * 7 + cols);
        using var weight = AsTensor(w, rows, cols);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit(type, nested));
        using var restored = q.Dequantize(ScalarType.Float32);

        var expected = Reference.Quantize4Bit(w, type);
        var map = TorchBuiltDynamicMap();
        var absmax = nested ? Reference.DequantizeNested(Reference.QuantizeNested(expected.Absmax, map), map) : expected.Absmax;
        var reference = Reference.Dequantize4Bit(expected.Packed, absmax, w.Length, type);
        Assert.Equal(new long[] { rows, cols }, restored.shape);
        Assert.Equal(reference, restored.data<float>().ToArray());

        // Each value lands on the nearest code of its block (within half the widest gap between neighbouring codes),
        // and with double quantization the block's absmax itself moves by at most half a gap of the dynamic map.
        var table = type == "nf4" ? Reference.Nf4 : Enumerable.Range(0, 16).Select(Reference.Fp4).ToArray();
        var halfGap = WidestGap(table) / 2;
        var mapHalfGap = WidestGap(map) / 2;
        var nestedScale = nested ? Reference.QuantizeNested(expected.Absmax, map).Absmax : null;
        var actual = restored.data<float>().ToArray();
        for (var i = 0; i < w.Length; i++)
        {
            var block = i / 64;
            var statisticError = nested ? mapHalfGap * nestedScale![block / 256] * 1.0001f : 0f;
            Assert.True(Math.Abs(absmax[block] - expected.Absmax[block]) <= statisticError + 1e-9f);
            var bound = halfGap * expected.Absmax[block] * 1.0001f + statisticError + 1e-9f;
            Assert.True(Math.Abs(w[i] - actual[i]) <= bound, $"value {i}: {w[i]} came back as {actual[i]}, more than {bound} away");
        }
    }

    static float WidestGap(float[] codes)
    {
        var sorted = codes.Order().ToArray();
        return sorted.Zip(sorted.Skip(1), (a, b) => b - a).Max();
    }

    [Fact]
    public void Bf16_dequantization_is_the_float32_result_rounded_once()
    {
        TorchRuntime.Initialize();
        var w = Weights(96 * 80, seed: 5);
        using var weight = AsTensor(w, 96, 80, ScalarType.BFloat16);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit());
        using var asFloat = q.Dequantize(ScalarType.Float32);
        using var asBf16 = q.Dequantize(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, asBf16.dtype);
        using var rounded = asFloat.to(ScalarType.BFloat16).to(ScalarType.Float32);
        using var returned = asBf16.to(ScalarType.Float32);
        Assert.Equal(rounded.data<float>().ToArray(), returned.data<float>().ToArray());

        // A bf16 weight is read as the float32 values it holds.
        using var widened = weight.to(ScalarType.Float32);
        var expected = Reference.Quantize4Bit(widened.data<float>().ToArray(), "nf4");
        Assert.Equal(expected.Packed, q.PackedCodes!.data<byte>().ToArray());
    }

    [Fact]
    public void Weights_larger_than_one_chunk_match_the_reference_across_the_chunk_seam()
    {
        TorchRuntime.Initialize();
        const int rows = 2049, cols = 2049; // 4,198,401 values: past the 4M chunk, odd, with a short last block
        var w = Weights(rows * cols, seed: 11);
        using var weight = AsTensor(w, rows, cols);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit());
        var expected = Reference.Quantize4Bit(w, "nf4");
        Assert.Equal(expected.Packed, q.PackedCodes!.data<byte>().ToArray());
        var map = TorchBuiltDynamicMap();
        var statistics = Reference.QuantizeNested(expected.Absmax, map);
        Assert.Equal(statistics.Codes, q.Nested!.Codes.data<byte>().ToArray());
        using var restored = q.Dequantize(ScalarType.Float32);
        var reference = Reference.Dequantize4Bit(expected.Packed, Reference.DequantizeNested(statistics, map), w.Length, "nf4");
        Assert.Equal(reference, restored.data<float>().ToArray());
    }

    [Theory]
    [InlineData(16, 64)]
    [InlineData(5, 33)]
    [InlineData(2049, 2049)] // more rows than one chunk holds
    public void Int8_codes_and_row_scales_equal_the_reference(int rows, int cols)
    {
        TorchRuntime.Initialize();
        var w = Weights(rows * cols, seed: rows + cols);
        Array.Clear(w, cols, cols); // a row of zeros
        using var weight = AsTensor(w, rows, cols);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.EightBit());
        var expected = Reference.QuantizeInt8(w, rows, cols);
        Assert.Equal(ScalarType.Int8, q.RowCodes!.dtype);
        Assert.Equal(new long[] { rows, cols }, q.RowCodes.shape);
        Assert.Equal(expected.Codes, q.RowCodes.data<sbyte>().ToArray());
        Assert.Equal(expected.Scales, q.RowScales!.data<float>().ToArray());
        Assert.Null(q.PackedCodes);

        using var restored = q.Dequantize(ScalarType.Float32);
        var actual = restored.data<float>().ToArray();
        Assert.Equal(Reference.DequantizeInt8(expected, cols), actual);
        for (var i = 0; i < w.Length; i++)
        {
            // Half a step of 1/127 of the row's absmax, plus the rounding through float16 that bitsandbytes does first.
            var bound = expected.Scales[i / cols] * (0.5f / 127) * 1.0001f + Math.Abs(w[i]) * 0.0005f + 1e-9f;
            Assert.True(Math.Abs(w[i] - actual[i]) <= bound, $"value {i}: {w[i]} came back as {actual[i]}");
        }
    }

    [Fact]
    public void Storage_counts_what_is_held_and_the_planner_predicts_it()
    {
        TorchRuntime.Initialize();
        foreach (var (rows, cols) in new[] { (8, 64), (7, 33), (257, 129), (1024, 3072) })
            foreach (var settings in new[] { QuantizationSettings.FourBit("nf4", false), QuantizationSettings.FourBit("fp4", true), QuantizationSettings.EightBit() })
            {
                using var weight = randn(rows, cols) * 0.02;
                using var q = QuantizedWeight.Quantize(weight, settings);
                long held = 0;
                foreach (var t in new[] { q.PackedCodes, q.Absmax, q.CodeTable, q.RowCodes, q.RowScales, q.Nested?.Codes, q.Nested?.Absmax, q.Nested?.Map })
                    if (t is not null) held += t.numel() * t.ElementSize;
                if (q.Nested is not null) held += sizeof(float); // the offset
                Assert.Equal(held, q.StorageBytes);
                Assert.Equal(held, QuantizedWeight.BytesFor(rows, cols, settings));
            }

        // Bytes per parameter at a real projection's size: half a byte of code plus the statistics.
        const long n = 1024L * 3072;
        Assert.InRange(QuantizedWeight.BytesFor(1024, 3072, QuantizationSettings.FourBit("nf4", false)) / (double)n, 0.5 + 4.0 / 64, 0.5 + 4.0 / 64 + 1e-4);
        Assert.InRange(QuantizedWeight.BytesFor(1024, 3072, QuantizationSettings.FourBit()) / (double)n, 0.5 + 1.0 / 64 + 4.0 / (64 * 256), 0.5 + 1.0 / 64 + 4.0 / (64 * 256) + 1e-3);
        Assert.InRange(QuantizedWeight.BytesFor(1024, 3072, QuantizationSettings.EightBit()) / (double)n, 1, 1.002);
    }

    [Fact]
    public void Codes_sit_where_the_kernels_draw_their_lines()
    {
        TorchRuntime.Initialize();
        // absmax 1 makes every scaled value the value itself, so values on and beside each threshold probe the tie rule.
        // The first value sits in the high nibble: 1.0 and -1.0 pack to 0xF0 in NF4.
        float[] probes = [1.0f, -1.0f, 0.03979015f, MathF.BitIncrement(0.03979015f), -0.8480964004993439f, -0.8480964f,
            0.583333f, 0.5833331f, 0.0f, -0.0f, 0.00260417f, MathF.BitIncrement(0.00260417f), -0.5f, 0.25f, -1e-3f, 0.99f];
        using var weight = tensor(probes, [1, probes.Length]);
        using var nf4 = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit("nf4", false));
        var nf4Bytes = nf4.PackedCodes!.data<byte>().ToArray();
        Assert.Equal(0xF0, nf4Bytes[0]);
        Assert.Equal(0x78, nf4Bytes[1]); // a value on NF4's threshold between 0 and 0.0796 keeps the lower code
        // On dQuantizeNF4's line between -1 and -0.696 stays at -1; one float above, which is the float32 midpoint
        // where a midpoint rule would still say -1, moves up as the kernel's literal decides.
        Assert.Equal(0x01, nf4Bytes[2]);
        Assert.Equal(MathF.BitIncrement(-0.8480964004993439f), (-1f + -0.6961928009986877f) / 2f);
        Assert.Equal(Reference.Quantize4Bit(probes, "nf4").Packed, nf4Bytes);

        using var fp4 = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit("fp4", false));
        var fp4Bytes = fp4.PackedCodes!.data<byte>().ToArray();
        Assert.Equal(0x3B, fp4Bytes[0]); // 1.0 is +12/12 (0b0011), -1.0 its negative (0b1011)
        // dQuantizeFP4 writes 0.583333 where the midpoint of 0.5 and 2/3 is 0.5833334: a value between goes up to 2/3.
        Assert.Equal(0x52, fp4Bytes[3]);
        Assert.Equal(0x00, fp4Bytes[4]); // +0 and -0 both take code 0: the sign bit is set only below zero
        Assert.Equal(0x01, fp4Bytes[5]);
        Assert.Equal(Reference.Quantize4Bit(probes, "fp4").Packed, fp4Bytes);
    }

    [Fact]
    public void Eight_bit_ties_follow_the_kernels_pivot_search()
    {
        TorchRuntime.Initialize();
        var map = TorchBuiltDynamicMap();
        // 1.0 fixes the block's absmax at 1; then every map midpoint and its neighbours, on both parities of the search's end.
        var values = new List<float> { 1.0f };
        for (var k = 0; k < 255; k++)
        {
            var mid = (map[k] + map[k + 1]) * 0.5f;
            values.AddRange([mid, MathF.BitIncrement(mid), MathF.BitDecrement(mid), map[k]]);
        }
        values.AddRange([map[255], -1.0f, 0f]);
        using var input = tensor(values.ToArray());
        using var mapTensor = tensor(map);
        var (codes, absmax) = EightBitBlockwise.Quantize(input, mapTensor);
        using (codes)
        using (absmax)
        {
            var expected = values.Chunk(256).SelectMany(block =>
            {
                var inverse = 1f / block.Max(Math.Abs);
                return block.Select(v => Reference.QuantizeDynamic(map, v * inverse));
            });
            Assert.Equal(expected, codes.data<byte>().ToArray());
        }
    }

    /// <summary>bitsandbytes' create_dynamic_map(signed=True) built with the loaded libtorch's own ops, as bitsandbytes builds it.</summary>
    internal static float[] TorchBuiltDynamicMap()
    {
        using var scope = NewDisposeScope();
        var data = new List<float> { 0f, 1f };
        for (var i = 0; i < 7; i++)
        {
            var boundaries = linspace(0.1, 1.0, (1 << i) + 1, ScalarType.Float32);
            var means = (boundaries[..^1] + boundaries[1..]) / 2.0;
            var decade = double.Parse($"1e{i - 6}", System.Globalization.CultureInfo.InvariantCulture); // Python's 10 ** (i - 6)
            data.AddRange((means * decade).data<float>().ToArray());
            data.AddRange((means * -decade).data<float>().ToArray());
        }
        return [.. data.Order()];
    }
}
