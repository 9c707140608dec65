using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// Collects a run's bus updates between two page refreshes (they arrive on the job's thread) and hands them over
/// as chart points, log lines and a status flag. Keeps the metric history for progress and the smoothed loss.
/// </summary>
public sealed class LiveMetricBuffer
{
    readonly object _gate = new();
    readonly List<RunMetric> _metrics;
    List<(int, int, double)> _points = [];
    List<(int, int, double)> _learningRates = [];
    List<string> _log = [];
    bool _statusChanged;
    double? _smoothed;
    int _lossCount;

    public LiveMetricBuffer(IReadOnlyList<RunMetric>? history = null)
    {
        _metrics = history?.ToList() ?? [];
        var losses = _metrics.Where(m => m.Loss is not null).Select(m => m.Loss!.Value).ToList();
        _lossCount = losses.Count;
        if (losses.Count > 0) _smoothed = LossSmoothing.Smooth(losses)[^1];
    }

    public IReadOnlyList<RunMetric> Metrics
    {
        get { lock (_gate) return _metrics.ToList(); }
    }

    public void Add(RunUpdate update)
    {
        lock (_gate)
        {
            // Log lines arrive as they were written to worker.log (RunJob's WorkerLog), event messages included.
            if (update.LogLine is { } line)
            {
                _log.Add(line);
                return;
            }
            if (update.Event is not { } e)
            {
                _statusChanged = true;
                return;
            }
            if (e.Event is WorkerEvent.Names.Finished or WorkerEvent.Names.Checkpoint or WorkerEvent.Names.Started) _statusChanged = true;
            if (e.Step is not { } step || e.Event is not (WorkerEvent.Names.Step or WorkerEvent.Names.Eval)) return;

            _metrics.Add(new RunMetric { Step = step, Loss = e.Loss, EvalLoss = e.EvalLoss, LearningRate = e.LearningRate, Epoch = e.Epoch, TokensPerSecond = e.TokensPerSecond, ElapsedSeconds = e.ElapsedSeconds });
            if (e.Loss is { } loss)
            {
                _lossCount++;
                double weight = LossSmoothing.WeightFor(_lossCount);
                _smoothed = _smoothed is { } s ? s * weight + (1 - weight) * loss : loss;
                _points.Add((0, step, loss));
                _points.Add((1, step, _smoothed.Value));
            }
            if (e.EvalLoss is { } eval) _points.Add((2, step, eval));
            if (e.LearningRate is { } lr) _learningRates.Add((0, step, lr));
        }
    }

    public Batch Take()
    {
        lock (_gate)
        {
            var batch = new Batch(_points, _learningRates, _log, _statusChanged);
            _points = [];
            _learningRates = [];
            _log = [];
            _statusChanged = false;
            return batch;
        }
    }

    public sealed record Batch(
        IReadOnlyList<(int Series, int Step, double Value)> Points,
        IReadOnlyList<(int Series, int Step, double Value)> LearningRates,
        IReadOnlyList<string> LogLines,
        bool StatusChanged);
}
