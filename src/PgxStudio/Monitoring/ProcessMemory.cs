namespace PgxStudio.Monitoring;

/// <summary>A process's resident memory from /proc/&lt;pid&gt;/status.</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS in bytes; null when the line is missing (a kernel thread, or a process that just exited).</summary>
    public static long? RssBytes(string procStatus)
    {
        foreach (var line in procStatus.Split('\n'))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return MemoryInfo.Kibibytes(line);
        return null;
    }
}
