using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>The one-pass inference norm: the libtorch norm's values and rounding, and each row independent of the others.</summary>
public class FusedRmsNormTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 1024, 1e-5)]
    [InlineData(ScalarType.Float32, 24, 1e-5)]     // narrower than a vector: all tail
    [InlineData(ScalarType.BFloat16, 1000, 0.0)]   // bf16: the same bits but for a rare tie (see below)
    [InlineData(ScalarType.BFloat16, 128, 0.0)]
    public void Equals_the_libtorch_norm(ScalarType dtype, int width, double tolerance)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var x = (randn([3, 67, width], generator: generator) * 3).to(dtype); // 201 rows: chunks of 64 and a part
        var weight = (1 + randn([width], generator: generator) * 0.1).to(dtype);
        var norm = new RmsNorm("norm", new FixedWeights(weight), width, 1e-6);

        Tensor expected;
        using (enable_grad()) expected = norm.forward(x); // with gradients on, the libtorch form runs
        Tensor ours;
        using (no_grad())
        {
            if (!FusedRmsNorm.Applies(x, weight))
            {
                Assert.False(SmallBatchLinear.Enabled, "it should apply wherever the decode-step product does");
                return;
            }
            ours = norm.forward(x);
            Assert.Equal(x.shape, ours.shape);
            Assert.Equal(dtype, ours.dtype);
            for (int row = 0; row < 3; row++)
                Assert.True(norm.forward(x.narrow(0, row, 1)).eq(ours.narrow(0, row, 1)).all().item<bool>(), $"batch row {row} differs alone");
        }
        var difference = (ours.to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs();
        if (dtype == ScalarType.Float32)
            Assert.True(difference.max().item<float>() <= tolerance * expected.abs().max().item<float>(), $"max |Δ| = {difference.max().item<float>():E2}");
        else
        {
            // The mean is summed in another order, so a value that sits on a rounding tie may land one bf16 step away.
            double steps = (difference / expected.to(ScalarType.Float32).abs().clamp_min(1e-3) * 128).max().item<float>();
            double share = difference.gt(0).to(ScalarType.Float32).mean().item<float>();
            Assert.True(steps <= 1.01 && share < 0.01, $"{share:P2} of values differ, by up to {steps:F2} bf16 steps");
        }
    }

    sealed class FixedWeights(Tensor weight) : IWeightSource
    {
        public Tensor Get(string name, long[] shape, WeightRole role) => weight.clone();
    }
}
