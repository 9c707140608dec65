using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>The decode-step product: libtorch's answer, and a row's result independent of the rows beside it.</summary>
public class SmallBatchLinearTests
{
    /// <summary>Tolerance relative to the outputs' scale: fp32 differs in summation order only; bf16 by a rounding step or two (libtorch rounds before adding the bias).</summary>
    public static TheoryData<ScalarType, double> Types => new() { { ScalarType.Float32, 1e-5 }, { ScalarType.BFloat16, 1.0 / 128 } };

    [Theory]
    [MemberData(nameof(Types))]
    public void Equals_libtorch_linear_and_every_row_is_the_same_alone_or_batched(ScalarType dtype, double tolerance)
    {
        TorchRuntime.Initialize();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var weight = randn(203, 592, generator: new TorchSharp.torch.Generator(3)).to(dtype); // 203 outputs: blocks of four and a tail; 592 wide: two chunks and a part
        var bias = randn(203).to(dtype);
        if (!SmallBatchLinear.Enabled)
        {
            // No AVX-512 here: it must not claim a product it cannot compute; libtorch does them all.
            Assert.False(SmallBatchLinear.Applies(randn(2, 592).to(dtype), weight));
            return;
        }
        foreach (int rows in new[] { 1, 3, 4, 7, 16 })
        {
            var x = randn(rows, 1, 592, generator: new TorchSharp.torch.Generator((ulong)rows)).to(dtype);
            Assert.True(SmallBatchLinear.Applies(x, weight));
            var ours = SmallBatchLinear.Forward(x, weight, bias);
            var theirs = nn.functional.linear(x, weight, bias);
            Assert.Equal(theirs.shape, ours.shape);
            Assert.Equal(dtype, ours.dtype);
            var expected = theirs.to(ScalarType.Float32);
            double diff = (ours.to(ScalarType.Float32) - expected).abs().max().item<float>(), scale = expected.abs().max().item<float>();
            Assert.True(diff <= tolerance * scale, $"{rows} rows: max |Δ| = {diff:E2} at outputs up to {scale:0.0}");
            for (int r = 0; r < rows; r++)
                Assert.True(SmallBatchLinear.Forward(x.narrow(0, r, 1), weight, bias).eq(ours.narrow(0, r, 1)).all().item<bool>(), $"row {r} of {rows} differs from the row alone");
        }
    }

    [Fact]
    public void Leaves_training_wide_batches_and_odd_widths_to_libtorch()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var weight = randn(32, 64);
        using (no_grad())
        {
            Assert.False(SmallBatchLinear.Applies(randn(17, 64), weight));        // more rows than a decode step
            Assert.False(SmallBatchLinear.Applies(randn(2, 40), randn(32, 40)));  // width not a multiple of 16
            Assert.False(SmallBatchLinear.Applies(randn(2, 64).to(ScalarType.BFloat16), weight)); // mixed dtypes
        }
        Assert.False(SmallBatchLinear.Applies(randn(2, 64), weight));              // gradients wanted: training
    }
}
