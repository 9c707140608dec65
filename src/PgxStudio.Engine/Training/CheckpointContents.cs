using System.Text.Json.Serialization;

namespace PgxStudio.Engine.Training;

/// <summary>
/// What goes into one checkpoint-N/ folder. The Trainer provides the tensor payloads (adapter or model weights,
/// optimizer state) as callbacks that write a named file into the folder being built, so this code stays
/// independent of the model and optimizer code.
/// </summary>
public sealed class CheckpointContents
{
    public required TrainerState State { get; init; }
    public required SchedulerState Scheduler { get; init; }
    public required RngState Rng { get; init; }
    /// <summary>Payload files by name (e.g. adapter_model.safetensors, optimizer.safetensors): each writes its stream.</summary>
    public IReadOnlyDictionary<string, Action<Stream>> Files { get; init; } = new Dictionary<string, Action<Stream>>();
    /// <summary>The run's arguments, written as training_args.yaml so a checkpoint explains itself.</summary>
    public TrainingArguments? Arguments { get; init; }
}

/// <summary>scheduler.json: the schedule and where it stands, so a resumed run continues the same curve.</summary>
public sealed record SchedulerState(
    [property: JsonPropertyName("lr_scheduler_type")] string Type,
    [property: JsonPropertyName("base_lr")] double BaseLearningRate,
    [property: JsonPropertyName("warmup_steps")] int WarmupSteps,
    [property: JsonPropertyName("total_steps")] int TotalSteps,
    [property: JsonPropertyName("last_step")] int LastStep)
{
    public const string FileName = "scheduler.json";

    public static SchedulerState Of(LearningRateSchedule schedule, int lastStep) =>
        new(schedule.Type, schedule.PeakLearningRate, schedule.WarmupSteps, schedule.TotalSteps, lastStep);

    public LearningRateSchedule ToSchedule() => new(Type, BaseLearningRate, WarmupSteps, TotalSteps);
}

/// <summary>
/// rng_state.json: enough to replay the data order and dropout after a resume: the seed, the epoch and batch the
/// run stopped in, and the torch generator state as bytes (from torch.random.get_rng_state()).
/// </summary>
public sealed record RngState(
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("batches_done_in_epoch")] int BatchesDoneInEpoch,
    [property: JsonPropertyName("torch_cpu_state")] byte[]? TorchCpuState = null,
    [property: JsonPropertyName("torch_cuda_state")] byte[]? TorchCudaState = null)
{
    public const string FileName = "rng_state.json";
}
