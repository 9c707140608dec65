using PgxStudio.Monitoring;

namespace PgxStudio.Tests.Monitoring;

public class SampleRingTests
{
    [Fact]
    public void The_ring_keeps_the_newest_items_oldest_first_once_full()
    {
        var ring = new SampleRing<int>(3);
        Assert.Empty(ring.Snapshot());
        Assert.Equal(0, ring.Latest);
        foreach (var i in Enumerable.Range(1, 5)) ring.Add(i);
        Assert.Equal([3, 4, 5], ring.Snapshot());
        Assert.Equal(5, ring.Latest);
        ring.Add(6);
        Assert.Equal([4, 5, 6], ring.Snapshot());
    }

    [Fact]
    public void The_monitor_keeps_ten_minutes_at_one_sample_a_second()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), MachineMonitor.Interval * MachineMonitor.SamplesKept);
    }
}
