namespace PgxStudio.Jobs;

/// <summary>
/// Training workers start with glibc's heap on transparent huge pages (the `glibc.malloc.hugetlb=1` tunable, read only
/// when a process starts, hence set by whoever starts it). A CPU training step touches gigabytes of freshly freed and
/// reused memory, and faulting it in 2 MiB at a time instead of 4 KiB made LoRA steps 1.2–1.5× faster on the CPU
/// (docs/memory-plan.md). Decoding is the opposite: a step allocates many small tensors, each new mapping faulted and
/// zeroed 2 MiB at a time, and the decode step of a served Qwen3-0.6B ran at half its speed on huge pages (8.0 against
/// 14.5 tokens/s at batch 1, bf16, one sitting); so serve, predict and export workers keep glibc's default.
/// Kernels whose huge pages are off (`never`) ignore it. A tunable the user set is kept.
/// </summary>
public static class WorkerAllocator
{
    public const string Variable = "GLIBC_TUNABLES";
    public const string HugePages = "glibc.malloc.hugetlb=1";

    /// <summary>The kinds of run that train: the ones whose workers start on huge pages.</summary>
    public static bool Suits(Persistence.RunKind kind) => kind is Persistence.RunKind.Train or Persistence.RunKind.SelfTest;

    public static void Apply(IDictionary<string, string?> environment)
    {
        environment.TryGetValue(Variable, out var tunables);
        if (string.IsNullOrEmpty(tunables)) environment[Variable] = HugePages;
        else if (!tunables.Contains("glibc.malloc.hugetlb=", StringComparison.Ordinal)) environment[Variable] = $"{tunables}:{HugePages}";
    }
}
