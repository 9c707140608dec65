namespace PgxStudio.Runs;

/// <summary>
/// The smoothed loss curve LLaMA-Factory plots: an exponential moving average whose weight grows with the number
/// of points (1.8 × (sigmoid(0.05·n) − 0.5)), so short runs are barely smoothed and long ones a lot.
/// </summary>
public static class LossSmoothing
{
    public static double WeightFor(int points) => 1.8 * (1 / (1 + Math.Exp(-0.05 * points)) - 0.5);

    public static IReadOnlyList<double> Smooth(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return [];
        double weight = WeightFor(values.Count);
        var smoothed = new List<double>(values.Count);
        double last = values[0];
        foreach (var v in values)
        {
            last = last * weight + (1 - weight) * v;
            smoothed.Add(last);
        }
        return smoothed;
    }
}
