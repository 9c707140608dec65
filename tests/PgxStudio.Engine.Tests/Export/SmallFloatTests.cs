using PgxStudio.Engine.Export.ModelOpt;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>The FP8 (E4M3) and FP4 (E2M1) encoders against values decoded from the bit fields.</summary>
public class SmallFloatTests
{
    static readonly float[] E4M3Values = Enumerable.Range(0, 127).Select(c => SmallFloats.E4M3((byte)c)).ToArray();

    [Fact]
    public void E4M3_has_448_as_its_largest_value_and_decodes_every_code_as_the_bit_fields_say()
    {
        Assert.Equal(448f, E4M3Values.Max());
        for (int c = 0; c < 256; c++)
            if (!float.IsNaN(SmallFloats.E4M3((byte)c))) Assert.Equal(SmallFloats.E4M3((byte)c), Float8E4M3.Decode((byte)c));
    }

    [Fact]
    public void E4M3_rounds_to_the_nearest_value_with_ties_to_an_even_mantissa_and_saturates()
    {
        var random = new Random(7);
        var probes = Enumerable.Range(0, 20000).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-12, 10))))
            .Concat(E4M3Values.Zip(E4M3Values.Skip(1), (a, b) => (a + b) / 2)) // every midpoint is a tie
            .Concat([500f, -1000f, 0f]);
        foreach (var x in probes)
        {
            float a = Math.Min(Math.Abs(x), 448f);
            var nearest = E4M3Values.Select((v, code) => (v, code)).OrderBy(p => Math.Abs(p.v - a)).ThenBy(p => p.code % 2).First();
            float got = Float8E4M3.Decode(Float8E4M3.Encode(x));
            Assert.True(got == (x < 0 ? -nearest.v : nearest.v), $"E4M3({x}) = {got}, expected {(x < 0 ? -nearest.v : nearest.v)}.");
        }
    }

    [Fact]
    public void E2M1_rounds_to_the_nearest_magnitude_with_ties_to_even_and_saturates_at_6()
    {
        var magnitudes = Enumerable.Range(0, 8).Select(SmallFloats.E2M1).ToArray();
        Assert.Equal([0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f], magnitudes);
        var probes = Enumerable.Range(-700, 1401).Select(i => i / 100f).Concat([0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, -5f, 9f]);
        foreach (var x in probes)
        {
            float a = Math.Min(Math.Abs(x), 6f);
            var nearest = magnitudes.Select((v, index) => (v, index)).OrderBy(p => Math.Abs(p.v - a)).ThenBy(p => p.index % 2).First();
            var code = Float4E2M1.Encode(x);
            Assert.Equal(nearest.v, Math.Abs(SmallFloats.E2M1(code)));
            Assert.Equal(x < 0, (code & 8) != 0);
        }
    }
}
