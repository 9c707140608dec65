using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Training;
using PgxStudio.Persistence;

namespace PgxStudio.Admission;

/// <summary>
/// How much memory a GPU-queue run will take at its peak, from its config before anything loads: a train run's
/// memory plan (the one `pgx estimate` and the Train page show), and for a predict run the model's weights in their
/// compute dtype times <see cref="PredictFactor"/>.
/// </summary>
public sealed class RunMemoryNeed(Training.TrainMemoryPlanner planner, Hosting.StudioPaths paths, TorchInfo torch)
{
    /// <summary>
    /// A predict run holds the weights once, then generation adds the KV cache of its batch, a batch of logits and
    /// the runtime (about 0.3 GB on the CPU, 1.2 GB with CUDA; see TrainingMemory). Half again the weights covers a
    /// demo model's batch of 8 × 1024 tokens and a 7B model's at bf16 with room; a predict run has no plan of its own yet.
    /// </summary>
    public const double PredictFactor = 1.5;

    /// <summary>The run's predicted peak in bytes; null for a kind that is not admitted or a config the plan cannot read
    /// (the worker then starts and reports its own error, as before).</summary>
    public long? Bytes(Run run)
    {
        if (run.Kind is not (RunKind.Train or RunKind.Predict)) return null;
        TrainingArguments args;
        try { args = TrainingConfigLoader.ReadUnchecked(run.Config, $"run {run.Id}'s config"); }
        catch (TrainingConfigException) { return null; }
        if (run.Kind == RunKind.Train) return planner.Plan(args).Plan?.PeakBytes;
        if (string.IsNullOrWhiteSpace(args.ModelNameOrPath)) return null;
        try
        {
            var folder = paths.Resolve(args.ModelNameOrPath.Trim());
            var model = PlannedModel.Resolve(File.Exists(Path.Combine(folder, "config.json")) ? folder : args.ModelNameOrPath.Trim());
            long weights = ModelParameters.Of(model).Sum(p => p.Elements) * Precision.BytesOf(TrainingPrecision.ComputeDtype(args, model, torch.Device));
            return (long)(weights * PredictFactor);
        }
        catch (Exception e) when (e is ModelFileException or ArgumentException) { return null; }
    }
}
