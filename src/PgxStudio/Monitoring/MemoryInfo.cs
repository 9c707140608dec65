namespace PgxStudio.Monitoring;

/// <summary>
/// The machine's memory from /proc/meminfo. On a GB10 this is the unified memory the GPU uses too, and the only
/// place its use can be read: nvidia-smi reports its memory as "[Not Supported]".
/// </summary>
public sealed record MemoryInfo(long TotalBytes, long AvailableBytes)
{
    /// <summary>What the kernel cannot hand out without swapping: MemTotal − MemAvailable.</summary>
    public long UsedBytes => TotalBytes - AvailableBytes;

    /// <summary>Null when MemTotal or MemAvailable is missing (a kernel before 3.14 has no MemAvailable).</summary>
    public static MemoryInfo? Parse(string procMeminfo)
    {
        long? total = null, available = null;
        foreach (var line in procMeminfo.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kibibytes(line);
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kibibytes(line);
        }
        return total is { } t && available is { } a ? new MemoryInfo(t, a) : null;
    }

    /// <summary>"Name:   123456 kB" to bytes; null when the number is missing.</summary>
    internal static long? Kibibytes(string line)
    {
        var parts = line[(line.IndexOf(':') + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries); // status uses a tab, meminfo spaces
        return parts.Length > 0 && long.TryParse(parts[0], out var kib) ? kib * 1024 : null;
    }
}
