using PgxStudio.Engine.Models;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Planning;

/// <summary>One share of a run's predicted peak, in the words the Train page and `pgx estimate` show.</summary>
public sealed record MemoryPart(string Name, long Bytes, string Detail);

/// <summary>
/// A training run's predicted peak memory, part by part, against the memory available, made from its config
/// before anything is loaded: what `pgx estimate`, the Train page and the queue ask before a run may start.
/// The activation and workspace terms are calibrated against measured peaks (`pgx bench train`, docs/memory-plan.md).
/// </summary>
public sealed record MemoryPlan(IReadOnlyList<MemoryPart> Parts, AvailableMemory? Available)
{
    public long PeakBytes => Parts.Sum(p => p.Bytes);

    /// <summary>Null when the memory available is unknown.</summary>
    public bool? Fits => Available is null ? null : PeakBytes <= Available.Bytes;

    public static MemoryPlan ForTraining(ModelConfig config, TrainingArguments args, Device device, AvailableMemory? available) =>
        new(TrainingMemory.Parts(config, args, device), available);

    /// <summary>"≈ 41.2 GB of 118.0 GB free — fits" (or "does not fit", or "… (free memory unknown)").</summary>
    public string Summary() => Available is null
        ? $"≈ {Gigabytes(PeakBytes)} (free memory unknown)"
        : $"≈ {Gigabytes(PeakBytes)} of {Gigabytes(Available.Bytes)} free — {(Fits == true ? "fits" : "does not fit")}";

    /// <summary>One sentence for a run that cannot fit: the shortfall and the levers that lower the peak.</summary>
    public string Refusal(TrainingArguments args)
    {
        var levers = new List<string>();
        if (args.QuantizationBit is null) levers.Add("QLoRA (quantization_bit: 4 with finetuning_type: lora)");
        levers.Add($"a shorter cutoff_len (now {args.CutoffLen})");
        if (args.PerDeviceTrainBatchSize > 1) levers.Add($"a smaller per_device_train_batch_size (now {args.PerDeviceTrainBatchSize}, raise gradient_accumulation_steps instead)");
        if (args.DisableGradientCheckpointing) levers.Add("gradient checkpointing (remove disable_gradient_checkpointing)");
        if (!args.Bf16) levers.Add("bf16: true");
        return $"This run needs about {Gigabytes(PeakBytes)} but {Gigabytes(Available?.Bytes ?? 0)} is free ({Available?.Source}); "
            + $"lower its peak with {string.Join(", ", levers.SkipLast(1))}{(levers.Count > 1 ? " or " : "")}{levers[^1]}.";
    }

    public static string Gigabytes(long bytes) => $"{bytes / 1e9:0.0} GB";
}
