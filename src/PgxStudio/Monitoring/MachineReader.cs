namespace PgxStudio.Monitoring;

/// <summary>
/// Reads the machine's counters from a /proc folder (a recorded copy in tests): CPU % since the previous call,
/// memory, and the resident memory of given processes. Not thread-safe: one monitor owns one reader.
/// </summary>
public sealed class MachineReader(string procRoot)
{
    CpuTimes? _previous;

    /// <summary>Busy share since the last call; null on the first call or where /proc/stat cannot be read.</summary>
    public double? CpuPercent()
    {
        var now = Read("stat") is { } text ? CpuTimes.Parse(text) : null;
        var before = _previous;
        _previous = now;
        return before is { } b && now is { } n ? CpuTimes.PercentBetween(b, n) : null;
    }

    public MemoryInfo? Memory() => Read("meminfo") is { } text ? MemoryInfo.Parse(text) : null;

    /// <summary>Null when the process is gone (it ended between the listing and the reading).</summary>
    public long? RssBytes(int pid) => Read(Path.Combine(pid.ToString(), "status")) is { } text ? ProcessMemory.RssBytes(text) : null;

    string? Read(string relative)
    {
        try { return File.ReadAllText(Path.Combine(procRoot, relative)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
