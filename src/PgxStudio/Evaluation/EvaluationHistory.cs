using Microsoft.EntityFrameworkCore;
using PgxStudio.Hosting;
using PgxStudio.Persistence;

namespace PgxStudio.Evaluation;

/// <summary>A finished evaluation in the compare table: what was evaluated and its four figures (null if unreadable).</summary>
public sealed record EvaluationRow(Run Run, IReadOnlyDictionary<string, double> Metrics, string? Problem);

/// <summary>Past evaluations (predict runs) for the Evaluate page's list and its side-by-side comparison.</summary>
public sealed class EvaluationHistory(IDbContextFactory<StudioDbContext> dbFactory, StudioPaths paths)
{
    public async Task<IReadOnlyList<Run>> RecentAsync(int count = 50)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking().Where(r => r.Kind == RunKind.Predict).OrderByDescending(r => r.Id).Take(count).ToListAsync();
    }

    /// <summary>The chosen evaluations in the order given, with their figures from predict_results.json.</summary>
    public async Task<IReadOnlyList<EvaluationRow>> CompareAsync(IReadOnlyList<int> ids)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var runs = await db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id) && r.Kind == RunKind.Predict).ToListAsync();
        return ids.Select(id => runs.FirstOrDefault(r => r.Id == id)).OfType<Run>().Select(Row).ToList();
    }

    EvaluationRow Row(Run run)
    {
        var file = Path.Combine(paths.Resolve(run.OutputDir), EvaluationResults.ResultsFileName);
        try
        {
            var metrics = EvaluationResults.ReadMetrics(file);
            return new EvaluationRow(run, metrics, metrics.Count == 0 ? $"{run.Name} has no results yet ({run.Status.ToString().ToLowerInvariant()})." : null);
        }
        catch (InvalidDataException e)
        {
            return new EvaluationRow(run, new Dictionary<string, double>(), e.Message);
        }
    }
}
