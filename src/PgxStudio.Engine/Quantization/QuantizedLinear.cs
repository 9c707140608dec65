using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// y = x·Wᵀ (+ bias) with W dequantized on the fly, as bitsandbytes' MatMul4Bit does: forward and backward each
/// dequantize W into the activation dtype and drop it afterwards, so autograd keeps only x's gradient path and
/// never a full-precision copy of the frozen base weight. The base weight gets no gradient (it is frozen).
/// </summary>
public sealed class QuantizedLinear : SingleTensorFunction<QuantizedLinear>
{
    public override string Name => nameof(QuantizedLinear);

    public static Tensor Apply(Tensor x, QuantizedWeight weight, Tensor? bias)
    {
        // Without gradients (inference, or the no-grad pass of a checkpointed layer) a plain linear is enough.
        var y = x.requires_grad && is_grad_enabled()
            ? apply(x, weight)
            : Plain(x, weight);
        return bias is null ? y : y.add_(bias);
    }

    static Tensor Plain(Tensor x, QuantizedWeight weight)
    {
        using var w = weight.Dequantize(x.dtype);
        return nn.functional.linear(x, w);
    }

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (QuantizedWeight)vars[1];
        ctx.save_data("weight", weight);
        ctx.save_data("dtype", x.dtype);
        return Plain(x, weight);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var weight = (QuantizedWeight)ctx.get_data("weight");
        var dtype = (ScalarType)ctx.get_data("dtype");
        // One gradient per argument of apply: x's, and none for the quantized weight (frozen, not a tensor).
        return [InputGradient(gradOutput.to(dtype), weight, dtype), null!];
    }

    /// <summary>The gradient of x·Wᵀ with respect to x: g·W, with W dequantized for the call and dropped after it.</summary>
    public static Tensor InputGradient(Tensor gradOutput, QuantizedWeight weight, ScalarType dtype)
    {
        using var w = weight.Dequantize(dtype);
        return gradOutput.matmul(w);
    }
}
