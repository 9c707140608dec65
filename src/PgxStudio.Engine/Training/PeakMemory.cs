namespace PgxStudio.Engine.Training;

/// <summary>
/// This process's peak memory so far: the kernel's high-water mark of resident memory (VmHWM in
/// /proc/self/status). On a GB10 the GPU shares that memory, and on the CPU it is everything the run held.
/// Null where /proc is not there.
/// </summary>
public static class PeakMemory
{
    public static long? ProcessPeakBytes() => ReadStatus("VmHWM:");

    /// <summary>Resident memory now (VmRSS).</summary>
    public static long? ProcessResidentBytes() => ReadStatus("VmRSS:");

    static long? ReadStatus(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field, StringComparison.Ordinal)
                && long.TryParse(line[field.Length..].Trim().Split(' ')[0], out var kib))
                return kib * 1024;
        return null;
    }
}
