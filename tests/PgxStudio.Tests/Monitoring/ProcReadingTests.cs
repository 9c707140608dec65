using PgxStudio.Monitoring;

namespace PgxStudio.Tests.Monitoring;

/// <summary>CPU %, memory and a worker's RSS from /proc files recorded on a Linux machine.</summary>
public class ProcReadingTests
{
    [Fact]
    public void CPU_percent_is_the_busy_share_of_the_ticks_between_two_readings_with_iowait_counted_idle()
    {
        // stat-before: cpu 42244 0 13222 18383 64 0 232 0 ; proc/stat: cpu 42898 0 13464 18383 65 0 234 0
        var before = CpuTimes.Parse(MachineFixtures.Text("stat-before"))!.Value;
        var after = CpuTimes.Parse(MachineFixtures.Text("proc/stat"))!.Value;
        Assert.Equal(42244 + 13222 + 232, before.Busy);
        Assert.Equal(42244 + 13222 + 18383 + 64 + 232, before.Total);
        Assert.Equal(100.0 * 898 / 899, CpuTimes.PercentBetween(before, after)!.Value, 6);
        Assert.Null(CpuTimes.PercentBetween(after, after)); // no tick passed: no figure, not 0 %
    }

    [Fact]
    public void A_stat_without_a_cpu_line_gives_no_reading()
    {
        Assert.Null(CpuTimes.Parse("intr 1 2 3\nctxt 4\n"));
    }

    [Fact]
    public void Memory_is_MemTotal_and_MemAvailable_in_bytes_and_used_is_their_difference()
    {
        var memory = MemoryInfo.Parse(MachineFixtures.Text("proc/meminfo"))!;
        Assert.Equal(24683748L * 1024, memory.TotalBytes);
        Assert.Equal(22795292L * 1024, memory.AvailableBytes);
        Assert.Equal((24683748L - 22795292L) * 1024, memory.UsedBytes);
        Assert.Null(MemoryInfo.Parse("MemTotal: 100 kB\nMemFree: 50 kB\n")); // a kernel without MemAvailable
    }

    [Fact]
    public void A_process_RSS_comes_from_VmRSS_in_its_status()
    {
        Assert.Equal(4208L * 1024, ProcessMemory.RssBytes(MachineFixtures.Text("proc/4242/status")));
        Assert.Null(ProcessMemory.RssBytes("Name:\tkthreadd\nState:\tS (sleeping)\n"));
    }

    [Fact]
    public void The_reader_gives_CPU_percent_from_its_second_call_and_nothing_for_a_process_that_is_gone()
    {
        var root = Directory.CreateTempSubdirectory("pgx-proc-").FullName;
        try
        {
            File.Copy(Path.Combine(MachineFixtures.Folder, "stat-before"), Path.Combine(root, "stat"));
            File.Copy(Path.Combine(MachineFixtures.Proc, "meminfo"), Path.Combine(root, "meminfo"));
            Directory.CreateDirectory(Path.Combine(root, "4242"));
            File.Copy(Path.Combine(MachineFixtures.Proc, "4242", "status"), Path.Combine(root, "4242", "status"));
            var reader = new MachineReader(root);

            Assert.Null(reader.CpuPercent());
            File.Copy(Path.Combine(MachineFixtures.Proc, "stat"), Path.Combine(root, "stat"), overwrite: true);
            Assert.Equal(100.0 * 898 / 899, reader.CpuPercent()!.Value, 6);
            Assert.Equal(22795292L * 1024, reader.Memory()!.AvailableBytes);
            Assert.Equal(4208L * 1024, reader.RssBytes(4242));
            Assert.Null(reader.RssBytes(4243));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
