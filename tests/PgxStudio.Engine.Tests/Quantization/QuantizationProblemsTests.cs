using PgxStudio.Engine.Native;
using PgxStudio.Engine.Quantization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Quantization;

public class QuantizationProblemsTests
{
    [Fact]
    public void A_weight_with_nan_is_refused_in_one_sentence()
    {
        TorchRuntime.Initialize();
        using var weight = ones(4, 64);
        weight[1, 3] = tensor(float.NaN);
        var e = Assert.Throws<ArgumentException>(() => QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit()));
        Assert.Contains("NaN or infinite", e.Message);
        weight[1, 3] = tensor(float.NegativeInfinity);
        Assert.Throws<ArgumentException>(() => QuantizedWeight.Quantize(weight, QuantizationSettings.EightBit()));
    }

    [Fact]
    public void Only_two_dimensional_floating_weights_are_quantized()
    {
        TorchRuntime.Initialize();
        using var vector = ones(64);
        Assert.Contains("[out, in]", Assert.Throws<ArgumentException>(() => QuantizedWeight.Quantize(vector, QuantizationSettings.FourBit())).Message);
        using var integers = ones(new long[] { 2, 64 }, ScalarType.Int32);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => QuantizedWeight.Quantize(integers, QuantizationSettings.EightBit())).Message);
    }

    [Fact]
    public void Int8_refuses_values_that_float16_cannot_hold_and_names_the_way_out()
    {
        TorchRuntime.Initialize();
        using var weight = ones(2, 8) * 70000f;
        var e = Assert.Throws<ArgumentException>(() => QuantizedWeight.Quantize(weight, QuantizationSettings.EightBit()));
        Assert.Contains("quantization_bit: 4", e.Message);
        using var fine = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit()); // 4 bits read float32 as is
        using var back = fine.Dequantize(ScalarType.Float32);
        Assert.Equal(70000f, back[1, 7].item<float>());
    }
}
