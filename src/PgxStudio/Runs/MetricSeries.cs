using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>A run's metric rows as chart series: (step, value) per series.</summary>
public static class MetricSeries
{
    /// <summary>Loss, smoothed loss, eval loss — in that order, as the loss chart names them.</summary>
    public static IReadOnlyList<IReadOnlyList<(int Step, double Value)>> Loss(IReadOnlyList<RunMetric> metrics)
    {
        var loss = metrics.Where(m => m.Loss is not null).Select(m => (m.Step, m.Loss!.Value)).ToList();
        var smoothed = LossSmoothing.Smooth(loss.Select(p => p.Item2).ToList());
        var eval = metrics.Where(m => m.EvalLoss is not null).Select(m => (m.Step, m.EvalLoss!.Value)).ToList();
        return [loss, loss.Select((p, i) => (p.Step, smoothed[i])).ToList(), eval];
    }

    public static IReadOnlyList<IReadOnlyList<(int Step, double Value)>> LearningRate(IReadOnlyList<RunMetric> metrics) =>
        [metrics.Where(m => m.LearningRate is not null).Select(m => (m.Step, m.LearningRate!.Value)).ToList()];
}
