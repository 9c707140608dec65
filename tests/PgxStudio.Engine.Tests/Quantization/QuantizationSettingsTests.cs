using PgxStudio.Engine.Sentences;
using PgxStudio.Engine.Quantization;

namespace PgxStudio.Engine.Tests.Quantization;

public class QuantizationSettingsTests
{
    [Fact]
    public void No_quantization_bit_means_no_quantization()
    {
        Assert.Null(QuantizationSettings.From(null, null, null, null));
        Assert.Null(QuantizationSettings.From(null, "gptq", "int4", false)); // LLaMA-Factory ignores the rest then
    }

    [Fact]
    public void Four_bits_default_to_llamafactory_nf4_with_double_quantization_in_blocks_of_64()
    {
        var s = QuantizationSettings.From(4, null, null, null)!;
        Assert.Equal((4, "nf4", true, (int?)64), (s.Bits, s.Type, s.DoubleQuantization, s.BlockSize));
        var fp4 = QuantizationSettings.From(4, "bnb", "fp4", false)!;
        Assert.Equal((4, "fp4", false), (fp4.Bits, fp4.Type, fp4.DoubleQuantization));
    }

    [Fact]
    public void Eight_bits_are_int8_rows_with_no_type_or_block()
    {
        var s = QuantizationSettings.From(8, "bnb", "nf4", true)!;
        Assert.Equal((8, (string?)null, false, (int?)null), (s.Bits, s.Type, s.DoubleQuantization, s.BlockSize));
    }

    [Theory]
    [InlineData(4, "gptq", null, "quantization_method: gptq is not supported")]
    [InlineData(4, "awq", null, "quantization_method: awq is not supported")]
    [InlineData(4, "hqq", null, "quantization_method: hqq is not supported")]
    [InlineData(3, null, null, "quantization_bit: 3 is not supported")]
    [InlineData(2, "bnb", null, "quantization_bit: 2 is not supported")]
    [InlineData(4, null, "int4", "quantization_type: int4 is not supported")]
    [InlineData(8, null, "int4", "quantization_type: int4 is not supported")]
    public void Anything_else_is_one_sentence_naming_the_key_and_what_is_supported(int bit, string? method, string? type, string start)
    {
        var e = Assert.Throws<SentenceException>(() => QuantizationSettings.From(bit, method, type, null));
        Assert.StartsWith(start, e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.Single(e.Message.Split(". "));
        Assert.Contains(start.StartsWith("quantization_type") ? "nf4 or fp4" : "4", e.Message);
        if (start.StartsWith("quantization_method")) Assert.Contains("quantization_method: bnb", e.Message);
        if (start.StartsWith("quantization_bit")) Assert.Contains("4 or 8", e.Message);
    }
}
