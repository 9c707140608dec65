using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Serving;

/// <summary>
/// `pgx serve --dtype`, as vLLM names it: auto, float32 or bfloat16. Auto keeps a bf16 checkpoint in bf16 where the
/// hardware computes bf16 natively (CUDA; CPUs with AVX-512 BF16 or AMX, through oneDNN), else fp32. Serving gains
/// twice: half the bytes read per decode step, and a batched step that costs little more than a single one (fp32's
/// small-batch GEMM does not; see docs/architecture.md).
/// </summary>
public static class ServeDtype
{
    public static readonly string[] Choices = ["auto", "float32", "bfloat16"];

    static readonly Lazy<bool> CpuComputesBf16 = new(() =>
    {
        try
        {
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            return flags.Split(' ').Any(f => f is "avx512_bf16" or "amx_bf16");
        }
        catch (IOException) { return false; }
    });

    public static ScalarType Parse(string? dtype, ModelConfig config, Device device) => (dtype ?? "auto") switch
    {
        "auto" => device.type == TorchSharp.DeviceType.CPU && config.TorchDtype is "bfloat16" && CpuComputesBf16.Value
            ? ScalarType.BFloat16
            : CausalLM.DefaultDtype(config, device),
        "float32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype {dtype} is not one of {string.Join(", ", Choices)}."),
    };
}
