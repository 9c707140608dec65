namespace PgxStudio.Benchmarks;

/// <summary>Mean and linearly interpolated percentiles (numpy's default), as evalscope reports them.</summary>
public static class Percentiles
{
    public static LatencyStats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return LatencyStats.Empty;
        return new LatencyStats(sorted.Average(), At(sorted, 50), At(sorted, 90), At(sorted, 99), sorted.Length);
    }

    public static double At(double[] sorted, double percent)
    {
        double rank = percent / 100 * (sorted.Length - 1);
        int low = (int)Math.Floor(rank), high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
