using Microsoft.EntityFrameworkCore;
using PgxStudio.Live;
using PgxStudio.Persistence;

namespace PgxStudio.Jobs;

/// <summary>Writes what a worker reports into the database and onto the bus, in that order.</summary>
public sealed class RunRecorder(IDbContextFactory<StudioDbContext> dbFactory, RunEvents bus)
{
    public async Task<Run?> FindAsync(int runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
    }

    public async Task<Run> UpdateAsync(int runId, Action<Run> change, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Runs.FirstAsync(r => r.Id == runId, ct);
        var before = run.Status;
        change(run);
        await db.SaveChangesAsync(ct);
        if (run.Status != before) bus.Publish(new RunUpdate(run.Id, run.Status));
        return run;
    }

    public async Task RecordEventAsync(int runId, WorkerEvent e, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Runs.FirstAsync(r => r.Id == runId, ct);
        if (e.Step is { } step && e.Event is WorkerEvent.Names.Step or WorkerEvent.Names.Eval)
        {
            db.RunMetrics.Add(new RunMetric
            {
                RunId = runId,
                Step = step,
                Epoch = e.Epoch,
                Loss = e.Loss,
                EvalLoss = e.EvalLoss,
                LearningRate = e.LearningRate,
                TokensPerSecond = e.TokensPerSecond,
                ElapsedSeconds = e.ElapsedSeconds,
            });
            run.CurrentStep = step;
            if (e.Loss is { } loss) run.FinalLoss = loss;
        }
        if (e.TotalSteps is { } total) run.TotalSteps = total;
        await db.SaveChangesAsync(ct);
        bus.Publish(new RunUpdate(runId, run.Status, e));
    }

    public void PublishLog(int runId, RunStatus status, string line) =>
        bus.Publish(new RunUpdate(runId, status, LogLine: line));
}
