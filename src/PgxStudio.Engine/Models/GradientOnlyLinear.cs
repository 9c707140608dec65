using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace PgxStudio.Engine.Models;

/// <summary>
/// A frozen projection whose output nobody reads, only differentiates: a checkpointed layer is recomputed only to be
/// differentiated, and down_proj's product feeds nothing but the layer's output. Forward returns zeros of the
/// output's shape instead of the product (a fifth of a layer's matmuls); backward gives the input its gradient,
/// g·W, exactly as the product's own backward would. The weight gets none (it is frozen).
/// </summary>
public sealed class GradientOnlyLinear : SingleTensorFunction<GradientOnlyLinear>
{
    public override string Name => nameof(GradientOnlyLinear);

    public static Tensor Apply(Tensor x, Projection projection) => apply(x, projection);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var projection = (Projection)vars[1];
        ctx.save_data("projection", projection);
        ctx.save_data("dtype", x.dtype);
        return zeros([.. x.shape[..^1], projection.OutFeatures], dtype: x.dtype, device: x.device);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var projection = (Projection)ctx.get_data("projection");
        var dtype = (ScalarType)ctx.get_data("dtype");
        // One gradient per argument of apply: x's, and none for the projection (not a tensor).
        return [projection.InputGradient(gradOutput.to(dtype), dtype), null!];
    }
}
