using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Queue;

/// <summary>Reads runs straight from the studio's SQLite file, the source of truth.</summary>
public sealed class RunsProbe(StudioInstance studio)
{
    public async Task<Run> Get(int id)
    {
        await using var db = await studio.Get<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
        return await db.Runs.AsNoTracking().Include(r => r.Metrics).FirstAsync(r => r.Id == id);
    }

    /// <summary>
    /// The default allows for a slow moment of a loaded 2-core CI machine (a worker's cold start, other test
    /// collections' workers on both cores); a run that really never gets there still fails, naming where it stood.
    /// </summary>
    public Task<Run> WaitFor(int id, Func<Run, bool> condition, string what, int seconds = 180) =>
        Eventually.Get(() => Get(id), condition, TimeSpan.FromSeconds(seconds), $"run {id} {what}");

    public Task<Run> WaitUntilFinished(int id, int seconds = 180) =>
        WaitFor(id, r => r.IsFinished || r.Status == RunStatus.Interrupted, "to finish", seconds);
}
