namespace PgxStudio.Monitoring;

/// <summary>One chart of the System page: its series, and how a sample gives each series' value (null: no point).</summary>
public sealed record MonitorChart(string Id, string Title, string YTitle, IReadOnlyList<string> SeriesNames, Func<MachineSample, int, double?> Value)
{
    /// <summary>A percentage is drawn on 0–100, so an idle machine does not look busy on a zoomed axis.</summary>
    public (double, double)? YRange => YTitle == "%" ? (0, 100) : null;

    /// <summary>The series' points over the samples kept, x = the monitor's second. A missing value is a gap, never 0.</summary>
    public IReadOnlyList<IReadOnlyList<(int Step, double Value)>> History(IReadOnlyList<MachineSample> samples) =>
        SeriesNames.Select((_, series) => (IReadOnlyList<(int, double)>)samples
            .Select(s => (s.Second, Value: Value(s, series)))
            .Where(p => p.Value is not null)
            .Select(p => (p.Second, p.Value!.Value)).ToList()).ToList();

    /// <summary>The points one new sample adds.</summary>
    public IReadOnlyList<(int Series, int Step, double Value)> Points(MachineSample sample) =>
        SeriesNames.Select((_, series) => (series, Value: Value(sample, series)))
            .Where(p => p.Value is not null)
            .Select(p => (p.series, sample.Second, p.Value!.Value)).ToList();
}

/// <summary>The System page's charts for a machine with these GPUs (none on a machine without nvidia-smi).</summary>
public static class MonitorCharts
{
    public static IReadOnlyList<MonitorChart> For(IReadOnlyList<GpuReading> gpus)
    {
        var charts = new List<MonitorChart>
        {
            new("monitor-cpu", "CPU", "%", ["CPU %"], (s, _) => s.CpuPercent),
            new("monitor-memory", "Memory", "GB", ["used", "available"], (s, series) => s.Memory is { } m
                ? (series == 0 ? m.UsedBytes : m.AvailableBytes) / 1e9
                : null),
        };
        if (gpus.Count == 0) return charts;
        var names = gpus.Select(g => $"GPU {g.Index}").ToList();
        double? Of(MachineSample s, int series, Func<GpuReading, GpuValue> field) =>
            series < gpus.Count && s.Gpus.FirstOrDefault(g => g.Index == gpus[series].Index) is { } gpu ? field(gpu).Number : null;
        charts.Add(new("monitor-gpu-utilization", "GPU utilisation", "%", names, (s, i) => Of(s, i, g => g.UtilizationPercent)));
        charts.Add(new("monitor-gpu-temperature", "GPU temperature", "°C", names, (s, i) => Of(s, i, g => g.TemperatureCelsius)));
        charts.Add(new("monitor-gpu-power", "GPU power", "W", names, (s, i) => Of(s, i, g => g.PowerWatts)));
        charts.Add(new("monitor-gpu-clock", "GPU SM clock", "MHz", names, (s, i) => Of(s, i, g => g.SmClockMhz)));
        return charts;
    }
}
