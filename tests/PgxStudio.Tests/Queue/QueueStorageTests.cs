using System.Diagnostics;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;
using Hangfire.Storage.SQLite.Entities;
using PgxStudio.Jobs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>The queue's locks: still exclusive, and taken soon after they come free even with Hangfire's 15-minute timeout.</summary>
public class QueueStorageTests
{
    static readonly TimeSpan JobLockTimeout = TimeSpan.FromMinutes(15); // what Hangfire asks for a job's state lock

    static QueueStorage Storage(TempContentRoot root) =>
        new(Path.Combine(root.Saves, "hangfire.db"), new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromSeconds(1) });

    [Fact]
    public async Task A_lock_left_by_a_holder_that_died_is_taken_once_it_expires_not_minutes_later()
    {
        using var root = new TempContentRoot();
        using var storage = Storage(root);
        using var connection = (HangfireSQLiteConnection)storage.GetConnection();
        // A holder killed mid-change leaves its row behind until it expires; nobody will wake the waiter.
        connection.DbContext.Database.Insert(new DistributedLock
        {
            Id = Guid.NewGuid().ToString(), Resource = "HangFire:job:7:state-lock", ResourceKey = Guid.NewGuid().ToString(),
            ExpireAt = DateTime.UtcNow.AddSeconds(2),
        });

        var clock = Stopwatch.StartNew();
        var taking = Task.Run(() => connection.AcquireDistributedLock("job:7:state-lock", JobLockTimeout));
        // The plain SQLite storage sleeps a tenth of the timeout (90 s) before it looks again.
        Assert.Same(taking, await Task.WhenAny(taking, Task.Delay(TimeSpan.FromSeconds(30))));
        using var held = await taking;
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"taken after {clock.Elapsed.TotalSeconds:0.0} s, before the dead holder's lock expired");
    }

    [Fact]
    public void A_held_lock_stays_exclusive_until_its_holder_lets_go()
    {
        using var root = new TempContentRoot();
        using var storage = Storage(root);
        using var first = storage.GetConnection();
        using var second = storage.GetConnection();

        var held = first.AcquireDistributedLock("job:3:state-lock", JobLockTimeout);
        var clock = Stopwatch.StartNew();
        Assert.Throws<DistributedLockTimeoutException>(() => second.AcquireDistributedLock("job:3:state-lock", TimeSpan.FromSeconds(2.5)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"gave up after {clock.Elapsed.TotalSeconds:0.0} s of a 2.5 s timeout");

        held.Dispose();
        using var taken = second.AcquireDistributedLock("job:3:state-lock", TimeSpan.FromSeconds(5));
        Assert.NotNull(taken);
    }
}
