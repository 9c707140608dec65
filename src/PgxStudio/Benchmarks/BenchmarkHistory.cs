using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Benchmarks;

/// <summary>The benchmark results the studio keeps in SQLite: save, list, pick for comparison, delete.</summary>
public sealed class BenchmarkHistory(IDbContextFactory<StudioDbContext> dbFactory)
{
    public async Task<BenchmarkResult> SaveAsync(BenchmarkResult row)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.BenchmarkResults.Add(row);
        await db.SaveChangesAsync();
        return row;
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<BenchmarkResult>> ListAsync(int take = 200)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.BenchmarkResults.AsNoTracking().OrderByDescending(r => r.Id).Take(take).ToListAsync();
    }

    public async Task<IReadOnlyList<BenchmarkResult>> GetAsync(IEnumerable<int> ids)
    {
        var wanted = ids.ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.BenchmarkResults.AsNoTracking().Where(r => wanted.Contains(r.Id)).ToListAsync();
        return rows.OrderBy(r => wanted.IndexOf(r.Id)).ToList();
    }

    /// <summary>The levels of one start, lowest parallel first.</summary>
    public async Task<IReadOnlyList<BenchmarkResult>> SweepAsync(string sweepId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.BenchmarkResults.AsNoTracking().Where(r => r.SweepId == sweepId).OrderBy(r => r.Id).ToListAsync();
    }

    /// <summary>Deletes a result; only whoever ran it or an admin may.</summary>
    public async Task DeleteAsync(int id, StudioUser user)
    {
        user.RequireMayAct(new Sentence("delete benchmark results"));
        await using var db = await dbFactory.CreateDbContextAsync();
        var row = await db.BenchmarkResults.FindAsync(id)
                  ?? throw new RunRequestException("Benchmark result {0} does not exist (deleted already?).", id);
        if (!user.IsAdmin && !string.Equals(row.Owner, user.Name, StringComparison.Ordinal))
            throw new RunRequestException("Benchmark result {0} belongs to {1}; only they or an admin can delete it.", id, row.Owner);
        db.BenchmarkResults.Remove(row);
        await db.SaveChangesAsync();
    }
}
