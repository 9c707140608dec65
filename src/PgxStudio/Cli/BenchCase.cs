using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// One configuration `pgx bench train` measures: a method (lora, qlora = 4-bit nf4 with double quantization,
/// qlora8, full), a compute dtype, checkpointing on or off, and whether the loss takes the whole logits (the engine
/// before chunking). Written `method:dtype:on|off[:whole]` on a child's command line.
/// </summary>
public sealed record BenchCase(string Method, string Dtype, bool Checkpointing, bool WholeLogits = false)
{
    static readonly string[] Methods = ["lora", "qlora", "qlora8", "full"];
    static readonly string[] Dtypes = ["float32", "bfloat16"];

    /// <summary>LoRA in fp32 with every activation and the whole logits kept: how the engine trained before.</summary>
    public static readonly BenchCase Before = new("lora", "float32", false, true);

    public static List<BenchCase> All(IReadOnlyList<string> methods, IReadOnlyList<string> dtypes, IReadOnlyList<string> checkpointing)
    {
        var badMethod = methods.FirstOrDefault(m => !Methods.Contains(m));
        if (badMethod is not null) throw new ArgumentException($"--methods {badMethod} is not one of {string.Join(", ", Methods)}.");
        var badDtype = dtypes.FirstOrDefault(d => !Dtypes.Contains(d));
        if (badDtype is not null) throw new ArgumentException($"--dtype {badDtype} is not one of {string.Join(", ", Dtypes)}.");
        var badSwitch = checkpointing.FirstOrDefault(c => c is not ("on" or "off"));
        if (badSwitch is not null) throw new ArgumentException($"--checkpointing {badSwitch} is not on or off.");
        return [.. from m in methods from d in dtypes from c in checkpointing select new BenchCase(m, d, c == "on")];
    }

    public static BenchCase Parse(string text)
    {
        var parts = text.Split(':');
        return new BenchCase(parts[0], parts[1], parts[2] == "on", parts.Length > 3 && parts[3] == "whole");
    }

    public override string ToString() => $"{Method}:{Dtype}:{(Checkpointing ? "on" : "off")}{(WholeLogits ? ":whole" : "")}";

    public static ScalarType ScalarOf(string dtype) => dtype == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>The run arguments this case stands for, so the memory plan reads it exactly as it reads a run.</summary>
    public TrainingArguments Arguments(int sequence, int batch, int rank) => new()
    {
        FinetuningType = Method == "full" ? "full" : "lora",
        QuantizationBit = Method switch { "qlora" => 4, "qlora8" => 8, _ => null },
        Bf16 = Dtype == "bfloat16",
        DisableGradientCheckpointing = !Checkpointing,
        CutoffLen = sequence,
        PerDeviceTrainBatchSize = batch,
        LoraRank = rank,
    };
}
