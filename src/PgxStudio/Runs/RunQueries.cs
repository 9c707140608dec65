using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>What the runs pages read: filtered pages of runs, one run, its metric history.</summary>
public sealed class RunQueries(IDbContextFactory<StudioDbContext> dbFactory)
{
    public async Task<(IReadOnlyList<Run> Items, int Total)> ListAsync(RunFilter filter, int page, int pageSize)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var query = db.Runs.AsNoTracking();
        if (filter.Status is { } status) query = query.Where(r => r.Status == status);
        if (!string.IsNullOrWhiteSpace(filter.Owner)) query = query.Where(r => r.Owner == filter.Owner);
        if (filter.Kind is { } kind) query = query.Where(r => r.Kind == kind);
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim();
            query = query.Where(r => r.Name.Contains(text) || (r.Model ?? "").Contains(text) || (r.Datasets ?? "").Contains(text));
        }
        int total = await query.CountAsync();
        var items = await query.OrderByDescending(r => r.Id).Skip(page * pageSize).Take(pageSize).ToListAsync();
        return (items, total);
    }

    public async Task<Run?> GetAsync(int id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id);
    }

    public async Task<IReadOnlyList<RunMetric>> MetricsAsync(int runId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.RunMetrics.AsNoTracking().Where(m => m.RunId == runId).OrderBy(m => m.Step).ThenBy(m => m.Id).ToListAsync();
    }

    public async Task<IReadOnlyList<string>> OwnersAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking().Select(r => r.Owner).Distinct().OrderBy(o => o).ToListAsync();
    }
}

public sealed record RunFilter(RunStatus? Status = null, string? Owner = null, RunKind? Kind = null, string? Text = null);
