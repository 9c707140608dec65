using PgxStudio.Engine.Native;
using PgxStudio.Engine.Quantization;
using static TorchSharp.torch;
using Reference = PgxStudio.Engine.Tests.Quantization.BitsAndBytesReference;

namespace PgxStudio.Engine.Tests.Quantization;

public class CodeTablesTests
{
    [Fact]
    public void Nf4_values_are_bitsandbytes_published_constants()
    {
        Assert.Equal(Reference.Nf4, FourBitCodes.NormalFloat);
        Assert.Equal(Reference.Nf4, FourBitCodes.Table("nf4"));
    }

    [Fact]
    public void Fp4_values_are_get_4bit_type_divided_by_twelve_and_the_kernels_lookup_table()
    {
        // get_4bit_type("fp4") lists the codes' values in code order and divides by the largest magnitude.
        float[] listed = [0, 0.0625f, 8, 12, 4, 6, 2, 3, -0f, -0.0625f, -8, -12, -4, -6, -2, -3];
        Assert.Equal(listed.Select(v => v / 12f), FourBitCodes.Float);
        Assert.Equal(Enumerable.Range(0, 16).Select(Reference.Fp4), FourBitCodes.Float);
        Assert.True(float.IsNegative(FourBitCodes.Float[8]));
    }

    [Fact]
    public void Nf4_lines_are_within_one_float_of_the_midpoints_of_neighbouring_values()
    {
        for (var i = 0; i < 15; i++)
        {
            var midpoint = (FourBitCodes.NormalFloat[i] + FourBitCodes.NormalFloat[i + 1]) / 2f;
            var line = FourBitCodes.NormalFloatThresholds[i];
            Assert.True(line == midpoint || MathF.BitIncrement(line) == midpoint || MathF.BitDecrement(line) == midpoint, $"line {i}");
        }
    }

    [Theory]
    [InlineData("nf4")]
    [InlineData("fp4")]
    public void Every_line_and_the_floats_beside_it_take_the_kernels_code(string type)
    {
        TorchRuntime.Initialize();
        var lines = type == "nf4" ? FourBitCodes.NormalFloatThresholds : FourBitCodes.FloatThresholds.Concat(FourBitCodes.FloatThresholds.Select(t => -t)).ToList();
        var probes = new List<float> { 1f }; // absmax 1: each probe is its own scaled value
        foreach (var line in lines) probes.AddRange([line, MathF.BitIncrement(line), MathF.BitDecrement(line)]);
        using var weight = tensor(probes.ToArray(), [1, probes.Count]);
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit(type, false));
        Assert.Equal(Reference.Quantize4Bit([.. probes], type).Packed, q.PackedCodes!.data<byte>().ToArray());
    }

    [Fact]
    public void Dynamic_map_is_the_one_bitsandbytes_builds_with_torch()
    {
        TorchRuntime.Initialize();
        var map = DynamicMap.Signed;
        Assert.Equal(QuantizedWeightTests.TorchBuiltDynamicMap(), map);
        Assert.Equal(256, map.Count);
        Assert.Equal(256, map.Distinct().Count());
        Assert.Equal(map.Order(), map);
        Assert.Equal(1f, map[255]);
        Assert.Contains(0f, map);
        Assert.InRange(map[0], -1f, -0.99f);
        Assert.Equal(map.Where(v => v < 0).Select(v => -v).Order(), map.Where(v => v > 0 && v < 1)); // symmetric but for 1.0
    }

    [Fact]
    public void Linspace_rounds_as_the_loaded_libtorch_does()
    {
        TorchRuntime.Initialize();
        foreach (var steps in new[] { 2, 3, 5, 9, 17, 33, 65, 129 })
        {
            using var expected = linspace(0.1, 1.0, steps, ScalarType.Float32);
            Assert.Equal(expected.data<float>().ToArray(), DynamicMap.Linspace(0.1f, 1f, steps));
        }
    }
}
