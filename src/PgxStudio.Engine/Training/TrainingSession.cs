namespace PgxStudio.Engine.Training;

/// <summary>
/// Everything around the Trainer's loop for one run: output folder rule and resume, step plan and schedule,
/// trainer_log.jsonl, trainer_state.json, checkpoints, results, the loss plot and progress events. The loop asks it
/// for the learning rate, reports each update's loss, and hands it tensor payloads when a checkpoint is due.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    readonly ITrainingObserver _observer;
    readonly TrainerLogWriter _log;
    readonly TrainingClock _clock;
    readonly CheckpointWriter _checkpoints;
    readonly int _startStep;
    double _lossSinceLog;
    int _lastLoggedStep;
    double _sessionLoss;

    public TrainingArguments Arguments { get; }
    public TrainingPlan Plan { get; }
    public LearningRateSchedule Schedule { get; }
    public TrainerState State { get; }
    public OutputDirectoryDecision Output { get; }
    public string OutputDir => Output.OutputDir;
    /// <summary>The first update this session runs is StartStep + 1 (0 for a fresh run).</summary>
    public int StartStep => _startStep;

    TrainingSession(TrainingArguments args, int trainSamples, ITrainingObserver observer)
    {
        Arguments = args;
        _observer = observer;
        Output = OutputDirectory.Prepare(args);
        Plan = TrainingPlan.For(args, trainSamples);
        Schedule = LearningRateSchedule.For(args, Plan);
        State = Output.ResumeFrom is { } from
            ? TrainerState.Load(Path.Combine(from.Path, TrainerState.FileName))
            : TrainerState.Start(args, Plan);
        if (State.MaxSteps != Plan.TotalSteps)
            throw new TrainingConfigException(
                $"resume_from_checkpoint: {Output.ResumeFrom!.Path} was saved for {State.MaxSteps} steps but this config makes {Plan.TotalSteps}; resume with the same dataset, batch size and epochs.");
        _startStep = _lastLoggedStep = State.GlobalStep;
        TrainingArgumentsYaml.Write(args, Path.Combine(OutputDir, "training_args.yaml"));
        if (Output.Resuming) TrainerLogWriter.TruncateAfter(OutputDir, _startStep);
        _log = new TrainerLogWriter(OutputDir, append: Output.Resuming);
        _clock = new TrainingClock(_startStep, State.NumInputTokensSeen);
        _checkpoints = new CheckpointWriter(OutputDir);
    }

    /// <summary>Prepares the output folder (or resumes into it) and reports the start.</summary>
    public static TrainingSession Begin(TrainingArguments args, int trainSamples, ITrainingObserver? observer = null)
    {
        var session = new TrainingSession(args, trainSamples, observer ?? TrainingObservers.None);
        session._observer.OnProgress(new TrainingProgress
        {
            Kind = TrainingProgressKind.Started, Step = session._startStep, TotalSteps = session.Plan.TotalSteps,
            Path = session.OutputDir,
            Message = session.Output.ResumeFrom is { } r ? $"resumed from {Path.GetFileName(r.Path)}" : "started",
        });
        return session;
    }

    /// <summary>The learning rate for update <paramref name="step"/> (1-based, as global_step after it).</summary>
    public double LearningRateFor(int step) => Schedule.LearningRateAt(step - 1);

    /// <summary>
    /// Records update <paramref name="step"/>: its mean loss over the accumulated batches and the input tokens it saw.
    /// Every logging_steps (and at the last step) writes the averaged loss to the log, state and observer.
    /// </summary>
    public void RecordStep(int step, double loss, long tokens, double? gradNorm = null)
    {
        _lossSinceLog += loss;
        _sessionLoss += loss;
        _clock.AddTokens(tokens);
        State.GlobalStep = step;
        State.Epoch = Plan.EpochAt(step);
        State.NumInputTokensSeen = _clock.TotalTokens;
        if (step % Arguments.LoggingSteps != 0 && step != Plan.TotalSteps) return;

        double mean = _lossSinceLog / (step - _lastLoggedStep);
        _lossSinceLog = 0;
        _lastLoggedStep = step;
        // like HF, the logged rate is the scheduler's after this update: the one the next update uses
        double lr = Schedule.LearningRateAt(step);
        State.LogTraining(step, Math.Round(State.Epoch, 2), mean, lr, gradNorm);
        var entry = _clock.Entry(step, Plan.TotalSteps, Math.Round(mean, 4), lr, Math.Round(State.Epoch, 2));
        _log.Write(entry);
        _observer.OnProgress(TrainingProgress.FromLog(entry));
    }

    public void RecordEval(int step, double evalLoss)
    {
        State.LogEvaluation(step, Math.Round(Plan.EpochAt(step), 2), evalLoss);
        var entry = _clock.Entry(step, Plan.TotalSteps, null, null, Math.Round(Plan.EpochAt(step), 2), evalLoss);
        _log.Write(entry);
        _observer.OnProgress(TrainingProgress.FromLog(entry));
    }

    public bool ShouldSave(int step) => step % Arguments.SaveSteps == 0;
    public bool ShouldEvaluate(int step) => step % Arguments.EffectiveEvalSteps == 0;

    /// <summary>Saves checkpoint-N atomically with the Trainer's payload files, then applies save_total_limit.</summary>
    public string SaveCheckpoint(int step, RngState rng, IReadOnlyDictionary<string, Action<Stream>> files)
    {
        var path = _checkpoints.Save(step, new CheckpointContents
        {
            State = State, Scheduler = SchedulerState.Of(Schedule, step), Rng = rng, Files = files, Arguments = Arguments,
        });
        if (Arguments.SaveTotalLimit is { } limit) _checkpoints.Rotate(limit);
        _observer.OnProgress(new TrainingProgress
        {
            Kind = TrainingProgressKind.Checkpoint, Step = step, TotalSteps = Plan.TotalSteps, Path = path,
            ElapsedSeconds = _clock.ElapsedSeconds,
        });
        return path;
    }

    /// <summary>Writes trainer_state.json, train_results.json/all_results.json and (plot_loss) training_loss.png.</summary>
    public TrainResults Finish(long? peakMemoryBytes = null)
    {
        int steps = State.GlobalStep - _startStep;
        double runtime = _clock.ElapsedSeconds;
        double samples = Arguments.MaxSteps > 0 ? (double)Plan.TotalBatchSize * Plan.TotalSteps : Plan.Samples * Arguments.NumTrainEpochs;
        var results = new TrainResults(steps > 0 ? _sessionLoss / steps : 0, runtime, (int)Math.Round(samples), Plan.TotalSteps,
            State.Epoch, PeakMemoryBytes: peakMemoryBytes);
        var summary = results.Metrics();
        summary["step"] = State.GlobalStep;
        State.LogHistory.Add(summary);
        State.Save(OutputDir);
        results.Save(OutputDir);
        if (Arguments.PlotLoss)
        {
            LossPlot.Save(State, OutputDir);
            if (State.LossHistory("eval_loss").Count > 0) LossPlot.Save(State, OutputDir, "eval_loss");
        }
        _observer.OnProgress(new TrainingProgress
        {
            Kind = TrainingProgressKind.Finished, Step = State.GlobalStep, TotalSteps = Plan.TotalSteps,
            Loss = results.TrainLoss, ElapsedSeconds = runtime, Path = OutputDir, Message = "training finished",
        });
        return results;
    }

    public void Fail(string message) => _observer.OnProgress(new TrainingProgress
    {
        Kind = TrainingProgressKind.Error, Step = State.GlobalStep, TotalSteps = Plan.TotalSteps, Message = message,
    });

    public void Dispose() => _log.Dispose();
}
