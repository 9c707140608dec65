using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>What the overview page lists.</summary>
public sealed class OverviewService(IDbContextFactory<StudioDbContext> dbFactory)
{
    public async Task<IReadOnlyList<Run>> RecentRunsAsync(int count)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking().OrderByDescending(r => r.Id).Take(count).ToListAsync();
    }
}
