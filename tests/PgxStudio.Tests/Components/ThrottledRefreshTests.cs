using PgxStudio.Live;

namespace PgxStudio.Tests.Components;

public class ThrottledRefreshTests
{
    [Fact]
    public async Task A_burst_of_updates_becomes_one_immediate_and_one_trailing_refresh()
    {
        int refreshes = 0;
        using var throttle = new ThrottledRefresh(() => { Interlocked.Increment(ref refreshes); return Task.CompletedTask; }, TimeSpan.FromMilliseconds(200));
        throttle.Request();
        await Task.Delay(50);
        for (int i = 0; i < 100; i++) throttle.Request();
        await Task.Delay(400);
        // One at once and one trailing; a slow machine may split the burst once more, never 101 times.
        Assert.InRange(refreshes, 2, 3);
    }

    [Fact]
    public void The_bus_delivers_to_matching_subscribers_until_they_leave()
    {
        var bus = new RunEvents();
        var seen = new List<int>();
        var one = bus.Subscribe(1, u => seen.Add(u.RunId));
        using var all = bus.Subscribe(null, u => seen.Add(-u.RunId));
        bus.Publish(new RunUpdate(1, PgxStudio.Persistence.RunStatus.Running));
        bus.Publish(new RunUpdate(2, PgxStudio.Persistence.RunStatus.Running));
        one.Dispose();
        bus.Publish(new RunUpdate(1, PgxStudio.Persistence.RunStatus.Succeeded));
        Assert.Equal(new[] { 1, -1, -2, -1 }, seen);
        Assert.Equal(1, bus.SubscriberCount);
    }
}
