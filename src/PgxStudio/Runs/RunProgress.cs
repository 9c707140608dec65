using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>Where a run stands: step of total, percentage, elapsed and estimated remaining time, throughput.</summary>
public sealed record RunProgress(int Step, int? Total, double Percentage, TimeSpan Elapsed, TimeSpan? Remaining, double? TokensPerSecond)
{
    public static RunProgress Of(Run run, IReadOnlyList<RunMetric> metrics, DateTime nowUtc)
    {
        int step = run.CurrentStep ?? metrics.LastOrDefault()?.Step ?? 0;
        int? total = run.TotalSteps;
        double percentage = total is > 0 ? Math.Min(100, 100.0 * step / total.Value) : run.Status == RunStatus.Succeeded ? 100 : 0;
        var end = run.FinishedAt ?? nowUtc;
        var elapsed = run.StartedAt is { } started ? end - started : TimeSpan.Zero;
        TimeSpan? remaining = null;
        if (run.Status == RunStatus.Running && total is > 0 && step > 0)
        {
            // Time per step so far, measured from the worker's own clock when it reports one.
            var last = metrics.LastOrDefault(m => m.ElapsedSeconds is not null);
            double perStep = last is not null && last.Step > 0 ? last.ElapsedSeconds!.Value / last.Step : elapsed.TotalSeconds / step;
            remaining = TimeSpan.FromSeconds(Math.Max(0, perStep * (total.Value - step)));
        }
        var tokens = metrics.LastOrDefault(m => m.TokensPerSecond is not null)?.TokensPerSecond;
        return new RunProgress(step, total, percentage, elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed, remaining, tokens);
    }

    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{span.Minutes}:{span.Seconds:00}";
}
