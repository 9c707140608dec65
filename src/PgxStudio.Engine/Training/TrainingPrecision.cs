using PgxStudio.Engine.Models;
using PgxStudio.Engine.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>
/// How a run keeps its weights, from its arguments: the compute dtype (`bf16: true` means bf16 on the CPU as on
/// CUDA; `fp16` computes in fp16 on CUDA only, since CPUs have no fast fp16 matmul), fp32 master weights for what
/// full and freeze fine-tuning train (LoRA matrices are fp32 anyway), and the quantized frozen base of QLoRA.
/// </summary>
public static class TrainingPrecision
{
    public static ScalarType ComputeDtype(TrainingArguments args, ModelConfig config, Device device) =>
        args.Bf16 ? ScalarType.BFloat16
        : args.Fp16 && device.type == DeviceType.CUDA ? ScalarType.Float16
        : CausalLM.DefaultDtype(config, device);

    public static QuantizationSettings? Quantization(TrainingArguments args) =>
        QuantizationSettings.From(args.QuantizationBit, args.QuantizationMethod, args.QuantizationType, args.DoubleQuantization);

    /// <summary>The storage rule for a checkpoint with these tensor names.</summary>
    public static WeightStorage Storage(TrainingArguments args, ModelConfig config, Device device, IReadOnlyCollection<string> names)
    {
        var dtype = ComputeDtype(args, config, device);
        Func<string, bool>? master = args.FinetuningType switch
        {
            "full" => _ => true,
            "freeze" => FreezeSelection.Trainable(names, args).Contains,
            _ => null,
        };
        return new WeightStorage(dtype, dtype == ScalarType.Float32 ? null : master, Quantization(args));
    }
}
