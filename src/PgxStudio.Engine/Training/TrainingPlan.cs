namespace PgxStudio.Engine.Training;

/// <summary>
/// How long a run is, computed as Hugging Face's Trainer does: batches per epoch, optimizer updates per epoch
/// (a last partial accumulation still counts as an update), total updates from epochs or max_steps, and warmup.
/// </summary>
public sealed record TrainingPlan(
    int Samples,
    int BatchesPerEpoch,
    int UpdatesPerEpoch,
    int TotalSteps,
    int Epochs,
    int WarmupSteps,
    int TotalBatchSize)
{
    public static TrainingPlan For(TrainingArguments args, int samples) => Compute(
        samples, args.PerDeviceTrainBatchSize, args.GradientAccumulationSteps, args.NumTrainEpochs, args.MaxSteps,
        args.WarmupRatio, args.WarmupSteps);

    public static TrainingPlan Compute(int samples, int batchSize, int gradientAccumulation, double epochs, int maxSteps,
        double warmupRatio = 0, int warmupSteps = 0)
    {
        if (samples < 1) throw new ArgumentException("The training set is empty: there is nothing to train on.", nameof(samples));
        if (batchSize < 1 || gradientAccumulation < 1) throw new ArgumentException("Batch size and gradient accumulation must be at least 1.");
        int batches = (samples + batchSize - 1) / batchSize;
        int updates = Math.Max(batches / gradientAccumulation + (batches % gradientAccumulation > 0 ? 1 : 0), 1);
        int total, wholeEpochs;
        if (maxSteps > 0)
        {
            total = maxSteps;
            wholeEpochs = maxSteps / updates + (maxSteps % updates > 0 ? 1 : 0);
        }
        else
        {
            total = (int)Math.Ceiling(epochs * updates);
            wholeEpochs = (int)Math.Ceiling(epochs);
        }
        int warmup = warmupSteps > 0 ? warmupSteps : (int)Math.Ceiling(total * warmupRatio);
        return new TrainingPlan(samples, batches, updates, total, wholeEpochs, warmup, batchSize * gradientAccumulation)
        {
            GradientAccumulation = gradientAccumulation,
        };
    }

    /// <summary>
    /// The fractional epoch after <paramref name="step"/> updates as Hugging Face logs it: whole epochs done plus the
    /// share of this epoch's batches consumed (so a short last accumulation window counts its real batches).
    /// </summary>
    public double EpochAt(int step)
    {
        if (step <= 0) return 0;
        int epoch = (step - 1) / UpdatesPerEpoch;
        int updateInEpoch = step - epoch * UpdatesPerEpoch;
        int batchesDone = Math.Min(updateInEpoch * GradientAccumulation, BatchesPerEpoch);
        return epoch + (double)batchesDone / BatchesPerEpoch;
    }

    /// <summary>Samples per device batch (per_device_train_batch_size).</summary>
    public int BatchSize => TotalBatchSize / GradientAccumulation;
    public int GradientAccumulation { get; init; } = 1;
}
