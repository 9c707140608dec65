using PgxStudio.Engine.Models;
using PgxStudio.Engine.Sentences;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Planning;

/// <summary>One share of a run's predicted peak, in the words the Train page and `pgx estimate` show.</summary>
public sealed record MemoryPart(string Name, long Bytes, Sentence Detail);

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
    public Sentence Summary() =>
        Available is null ? new Sentence("≈ {0} (free memory unknown)", Gigabytes(PeakBytes))
        : Fits == true ? new Sentence("≈ {0} of {1} free — fits", Gigabytes(PeakBytes), Gigabytes(Available.Bytes))
        : new Sentence("≈ {0} of {1} free — does not fit", Gigabytes(PeakBytes), Gigabytes(Available.Bytes));

    /// <summary>One sentence for a run that cannot fit: the shortfall and the levers that lower the peak.</summary>
    public Sentence Refusal(TrainingArguments args)
    {
        var levers = new List<Sentence>();
        if (args.QuantizationBit is null) levers.Add(new Sentence("QLoRA (quantization_bit: 4 with finetuning_type: lora)"));
        levers.Add(new Sentence("a shorter cutoff_len (now {0})", args.CutoffLen));
        if (args.PerDeviceTrainBatchSize > 1) levers.Add(new Sentence("a smaller per_device_train_batch_size (now {0}, raise gradient_accumulation_steps instead)", args.PerDeviceTrainBatchSize));
        if (args.DisableGradientCheckpointing) levers.Add(new Sentence("gradient checkpointing (remove disable_gradient_checkpointing)"));
        if (!args.Bf16) levers.Add(new Sentence("bf16: true"));
        return new Sentence("This run needs about {0} but {1} is free ({2}); any of these lowers its peak: {3}.",
            Gigabytes(PeakBytes), Gigabytes(Available?.Bytes ?? 0), new Sentence(Available?.Source ?? "?"), levers);
    }

    public static string Gigabytes(long bytes) => $"{bytes / 1e9:0.0} GB";
}
