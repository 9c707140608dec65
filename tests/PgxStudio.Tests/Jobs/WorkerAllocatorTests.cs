using PgxStudio.Jobs;
using PgxStudio.Persistence;
using Xunit;

namespace PgxStudio.Tests.Jobs;

public class WorkerAllocatorTests
{
    [Theory]
    [InlineData(RunKind.Train, true)]
    [InlineData(RunKind.SelfTest, true)]
    [InlineData(RunKind.Serve, false)]   // decoding allocates small tensors: huge pages halved its speed
    [InlineData(RunKind.Predict, false)]
    [InlineData(RunKind.Export, false)]
    public void Training_workers_start_with_the_heap_on_huge_pages_and_decoding_workers_do_not(RunKind kind, bool hugePages)
    {
        var contentRoot = Directory.CreateTempSubdirectory().FullName;
        var run = new Run { Id = 7, Kind = kind, Name = "r", Config = "model_name_or_path: m\n", OutputDir = "saves/runs/r" };
        var info = WorkerLaunch.For(run, contentRoot);
        info.Environment.TryGetValue(WorkerAllocator.Variable, out var tunables);
        Assert.Equal(hugePages, (tunables ?? "").Split(':').Contains(WorkerAllocator.HugePages));
    }

    [Theory]
    [InlineData(null, "glibc.malloc.hugetlb=1")]
    [InlineData("", "glibc.malloc.hugetlb=1")]
    [InlineData("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")]
    [InlineData("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0")] // the user's own choice stands
    public void Tunables_the_user_set_are_kept(string? before, string after)
    {
        var environment = new Dictionary<string, string?>();
        if (before is not null) environment[WorkerAllocator.Variable] = before;
        WorkerAllocator.Apply(environment);
        Assert.Equal(after, environment[WorkerAllocator.Variable]);
    }
}
