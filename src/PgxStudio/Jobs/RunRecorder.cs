using Microsoft.EntityFrameworkCore;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Runs;

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
            Fill(await MetricAt(db, runId, step, ct), e.Epoch, e.Loss, e.EvalLoss, e.LearningRate, e.TokensPerSecond, e.ElapsedSeconds);
            run.CurrentStep = step;
            if (e.Loss is { } loss) run.FinalLoss = loss;
        }
        if (e.TotalSteps is { } total) run.TotalSteps = total;
        await db.SaveChangesAsync(ct);
        bus.Publish(new RunUpdate(runId, run.Status, e));
    }

    /// <summary>
    /// A run resumed from its checkpoint at <paramref name="startStep"/> redoes the steps after it, so their rows go;
    /// the steps up to it are taken from its trainer_log.jsonl (the worker has just cut that to the checkpoint), which
    /// fills any step the studio missed, such as the checkpoint's own when the studio died before recording it.
    /// </summary>
    public async Task ResumedAtAsync(int runId, int startStep, string outputDir, CancellationToken ct = default)
    {
        var logged = TrainerLogMetrics.Read(outputDir).Where(m => m.Step <= startStep).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.RunMetrics.Where(m => m.RunId == runId && m.Step > startStep).ExecuteDeleteAsync(ct);
        var existing = await db.RunMetrics.Where(m => m.RunId == runId && m.Step <= startStep).ToDictionaryAsync(m => m.Step, ct);
        foreach (var m in logged)
        {
            if (!existing.TryGetValue(m.Step, out var row))
            {
                row = new RunMetric { RunId = runId, Step = m.Step };
                db.RunMetrics.Add(row);
                existing[m.Step] = row;
            }
            Fill(row, m.Epoch, m.Loss, m.EvalLoss, m.LearningRate, m.TokensPerSecond, m.ElapsedSeconds);
        }
        var run = await db.Runs.FirstAsync(r => r.Id == runId, ct);
        run.CurrentStep = startStep;
        var lastLoss = existing.Values.Where(r => r.Loss is not null).MaxBy(r => r.Step);
        run.FinalLoss = lastLoss?.Loss;
        await db.SaveChangesAsync(ct);
        bus.Publish(new RunUpdate(runId, run.Status));
    }

    /// <summary>The run's one row for a step (a step's loss and its evaluation share it).</summary>
    static async Task<RunMetric> MetricAt(StudioDbContext db, int runId, int step, CancellationToken ct)
    {
        var row = await db.RunMetrics.FirstOrDefaultAsync(m => m.RunId == runId && m.Step == step, ct);
        if (row is not null) return row;
        row = new RunMetric { RunId = runId, Step = step };
        db.RunMetrics.Add(row);
        return row;
    }

    static void Fill(RunMetric row, double? epoch, double? loss, double? evalLoss, double? lr, double? tokensPerSecond, double? elapsed)
    {
        row.Epoch = epoch ?? row.Epoch;
        row.Loss = loss ?? row.Loss;
        row.EvalLoss = evalLoss ?? row.EvalLoss;
        row.LearningRate = lr ?? row.LearningRate;
        row.TokensPerSecond = tokensPerSecond ?? row.TokensPerSecond;
        row.ElapsedSeconds = elapsed ?? row.ElapsedSeconds;
    }

    public void PublishLog(int runId, RunStatus status, string line) =>
        bus.Publish(new RunUpdate(runId, status, LogLine: line));
}
