namespace PgxStudio.Monitoring;

/// <summary>
/// The machine's CPU time counters from the first ("cpu") line of /proc/stat, in clock ticks since boot. A CPU %
/// is the busy share of the ticks that passed between two readings, so one reading alone says nothing.
/// </summary>
public readonly record struct CpuTimes(long Busy, long Total)
{
    /// <summary>Null when the text has no "cpu" line with at least the four classic counters.</summary>
    public static CpuTimes? Parse(string procStat)
    {
        foreach (var line in procStat.Split('\n'))
        {
            if (!line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
            var ticks = new long[Math.Min(fields.Length, 8)];
            for (int i = 0; i < ticks.Length; i++)
                if (!long.TryParse(fields[i], out ticks[i])) return null;
            if (ticks.Length < 4) return null;
            long idle = ticks[3] + (ticks.Length > 4 ? ticks[4] : 0); // waiting for the disk is not work done
            long total = ticks.Sum();
            return new CpuTimes(total - idle, total);
        }
        return null;
    }

    /// <summary>Busy share of the ticks between two readings, 0–100; null when no tick passed.</summary>
    public static double? PercentBetween(CpuTimes before, CpuTimes after)
    {
        long total = after.Total - before.Total;
        if (total <= 0) return null;
        return Math.Clamp(100.0 * (after.Busy - before.Busy) / total, 0, 100);
    }
}
