using PgxStudio.Jobs;
using Xunit;

namespace PgxStudio.Tests.Jobs;

public class WorkerAllocatorTests
{
    [Fact]
    public void Every_worker_starts_with_the_heap_on_huge_pages()
    {
        var info = WorkerLaunch.ThisProgram(["env"]);
        Assert.Contains(WorkerAllocator.HugePages, info.Environment[WorkerAllocator.Variable]!.Split(':'));
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
