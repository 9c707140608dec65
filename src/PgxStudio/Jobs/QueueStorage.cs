using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace PgxStudio.Jobs;

/// <summary>
/// The queue's SQLite storage, with its locks retried in short waits. Hangfire.Storage.SQLite sleeps a tenth of the
/// caller's timeout between attempts at a held lock unless the holder's release wakes it in time, and Hangfire asks
/// for a job's lock with 15 minutes: a job's start (the worker moving it to Processing) or a cancel (deleting it) that
/// met the lock held a moment by someone else — or missed the release — slept 90 s. On the loaded 2-core test machine
/// that was a queued run starting a minute and a half late. Here each attempt is given a second (so it sleeps 100 ms
/// between tries), repeated until the caller's own timeout.
/// </summary>
public sealed class QueueStorage : SQLiteStorage
{
    /// <summary>How long one attempt may wait; the SQLite lock sleeps a tenth of it between tries.</summary>
    public static readonly TimeSpan Attempt = TimeSpan.FromSeconds(1);

    // The base keeps its options to itself; its connections need them too.
    readonly SQLiteStorageOptions _options;

    public QueueStorage(string path, SQLiteStorageOptions options) : base(path, options) => _options = options;

    public override IStorageConnection GetConnection() => new Connection(CreateAndOpenConnection(), _options, QueueProviders);

    sealed class Connection(HangfireDbContext database, SQLiteStorageOptions options, PersistentJobQueueProviderCollection queues)
        : HangfireSQLiteConnection(database, options, queues)
    {
        public override IDisposable AcquireDistributedLock(string resource, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                try
                {
                    return base.AcquireDistributedLock(resource, left <= TimeSpan.Zero ? TimeSpan.Zero : left < Attempt ? left : Attempt);
                }
                catch (DistributedLockTimeoutException) when (deadline - DateTime.UtcNow > TimeSpan.Zero)
                {
                    // Held through this attempt: try again while the caller's timeout lasts.
                }
            }
        }
    }
}
