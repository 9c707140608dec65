using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Serving;

/// <summary>
/// `pgx serve --dtype`, as vLLM names it: auto (the engine's default: fp32 on the CPU, the checkpoint's bf16 on
/// CUDA), float32, or bfloat16 (half the weight and KV bytes; on CPUs with AVX-512 BF16 the batched decode step
/// scales better, see README's serving benchmark).
/// </summary>
public static class ServeDtype
{
    public static readonly string[] Choices = ["auto", "float32", "bfloat16"];

    public static ScalarType Parse(string? dtype, ModelConfig config, Device device) => (dtype ?? "auto") switch
    {
        "auto" => CausalLM.DefaultDtype(config, device),
        "float32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype {dtype} is not one of {string.Join(", ", Choices)}."),
    };
}
