using ScottPlot;

namespace PgxStudio.Engine.Training;

/// <summary>
/// training_loss.png: the raw loss and a smoothed curve against the step, as LLaMA-Factory's plot_loss draws it
/// (same smoothing, title and file name), rendered headless with ScottPlot.
/// </summary>
public static class LossPlot
{
    public const string FileName = "training_loss.png";

    /// <summary>
    /// LLaMA-Factory's exponential moving average whose weight grows with the number of points (a sigmoid), so a
    /// short run is barely smoothed and a long one strongly.
    /// </summary>
    public static double[] Smooth(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return [];
        double weight = 1.8 * (1 / (1 + Math.Exp(-0.05 * values.Count)) - 0.5);
        var smoothed = new double[values.Count];
        double last = values[0];
        for (int i = 0; i < values.Count; i++)
        {
            last = last * weight + (1 - weight) * values[i];
            smoothed[i] = last;
        }
        return smoothed;
    }

    /// <summary>Draws the loss of <paramref name="state"/>'s log history; false (and no file) when nothing was logged.</summary>
    public static bool Save(TrainerState state, string outputDir, string key = "loss")
    {
        var points = state.LossHistory(key);
        if (points.Count == 0) return false;
        var steps = points.Select(p => (double)p.Step).ToArray();
        var losses = points.Select(p => p.Loss).ToArray();

        var plot = new Plot();
        var raw = plot.Add.Scatter(steps, losses);
        raw.LegendText = "original";
        raw.Color = Colors.C0.WithAlpha(0.4);
        raw.MarkerSize = 0;
        raw.LineWidth = 1.5f;
        var smooth = plot.Add.Scatter(steps, Smooth(losses));
        smooth.LegendText = "smoothed";
        smooth.Color = Colors.C0;
        smooth.MarkerSize = 0;
        smooth.LineWidth = 2f;
        plot.Title($"training {key} of {outputDir}");
        plot.XLabel("step");
        plot.YLabel(key);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(Path.Combine(outputDir, key == "loss" ? FileName : $"training_{key}.png"), 640, 480);
        return true;
    }
}
