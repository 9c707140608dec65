using System.Diagnostics;

namespace PgxStudio.Engine.Training;

/// <summary>
/// Times a run for the log: elapsed since this process started training and the token count, counting from the
/// resume point so averages (remaining time, throughput) describe this session's speed as LLaMA-Factory's do.
/// </summary>
public sealed class TrainingClock
{
    readonly Stopwatch _watch = Stopwatch.StartNew();
    readonly int _startStep;
    long _tokens;

    public TrainingClock(int startStep = 0, long tokensBefore = 0)
    {
        _startStep = startStep;
        TotalTokens = tokensBefore;
    }

    public long TotalTokens { get; private set; }
    public double ElapsedSeconds => _watch.Elapsed.TotalSeconds;

    public void AddTokens(long count)
    {
        _tokens += count;
        TotalTokens += count;
    }

    /// <summary>A log entry for <paramref name="step"/>; timing uses steps done in this session only.</summary>
    public TrainerLogEntry Entry(int step, int totalSteps, double? loss, double? learningRate, double? epoch, double? evalLoss = null)
    {
        double elapsed = ElapsedSeconds;
        int doneHere = step - _startStep;
        // LogCallback divides by the steps done in this session; scale elapsed so RemainingSeconds does the same
        double perStep = doneHere > 0 ? elapsed / doneHere : 0;
        return new TrainerLogEntry
        {
            CurrentSteps = step, TotalSteps = totalSteps, Loss = loss, EvalLoss = evalLoss, LearningRate = learningRate,
            Epoch = epoch, ElapsedSeconds = elapsed, TotalTokens = TotalTokens > 0 ? TotalTokens : null,
            RemainingSeconds = perStep * (totalSteps - step),
            Throughput = _tokens > 0 && elapsed > 0 ? Math.Round(_tokens / elapsed, 2, MidpointRounding.ToEven) : null,
        };
    }
}
