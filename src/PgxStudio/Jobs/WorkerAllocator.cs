namespace PgxStudio.Jobs;

/// <summary>
/// Workers start with glibc's heap on transparent huge pages (the `glibc.malloc.hugetlb=1` tunable, read only when a
/// process starts, hence set by whoever starts it). A CPU training step touches gigabytes of freshly freed and
/// reused memory, and faulting it in 2 MiB at a time instead of 4 KiB made LoRA steps 1.2–1.5× faster on the CPU
/// (docs/memory-plan.md). Kernels whose huge pages are off (`never`) ignore it. A tunable the user set is kept.
/// </summary>
public static class WorkerAllocator
{
    public const string Variable = "GLIBC_TUNABLES";
    public const string HugePages = "glibc.malloc.hugetlb=1";

    public static void Apply(IDictionary<string, string?> environment)
    {
        environment.TryGetValue(Variable, out var tunables);
        if (string.IsNullOrEmpty(tunables)) environment[Variable] = HugePages;
        else if (!tunables.Contains("glibc.malloc.hugetlb=", StringComparison.Ordinal)) environment[Variable] = $"{tunables}:{HugePages}";
    }
}
