using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// The dtypes a model computes and stores in. Activations flow in the compute dtype (bf16 with `bf16: true`); a
/// weight may be stored wider (fp32 master weights of full and freeze fine-tuning) and is cast on use, which is
/// what autocast does in PyTorch (TorchSharp has none). The cast is differentiable, so gradients reach the fp32
/// master weight.
/// </summary>
public static class Precision
{
    public static Tensor Cast(Tensor t, ScalarType dtype) => t.dtype == dtype ? t : t.to(dtype);

    /// <summary>Bytes one element of <paramref name="dtype"/> takes.</summary>
    public static int BytesOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
