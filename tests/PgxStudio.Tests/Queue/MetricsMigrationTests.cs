using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Persistence;

namespace PgxStudio.Tests.Queue;

/// <summary>Histories recorded before one row per step: upgrading folds each step's rows into one.</summary>
public class MetricsMigrationTests
{
    [Fact]
    public async Task Upgrading_folds_a_steps_rows_into_one_the_latest_value_of_each_column_winning()
    {
        var folder = Directory.CreateTempSubdirectory("pgx-migrate-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<StudioDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "studio.db")};Pooling=False").Options;
            await using var db = new StudioDbContext(options);
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync("BenchmarkResults"); // the last migration before MetricsOneRowPerStep
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Runs (Id, Kind, Status, Name, Owner, Config, OutputDir, CreatedAt, CancelRequested) VALUES (1, 'Train', 'Succeeded', 'r', 'a', '', '', '2026-01-01', 0);
                INSERT INTO RunMetrics (RunId, Step, Loss, LearningRate) VALUES (1, 1, 2.0, 0.1);
                INSERT INTO RunMetrics (RunId, Step, Loss, LearningRate) VALUES (1, 2, 1.9, 0.1);
                INSERT INTO RunMetrics (RunId, Step, EvalLoss) VALUES (1, 2, 1.5);
                INSERT INTO RunMetrics (RunId, Step, Loss, LearningRate) VALUES (1, 3, 1.8, 0.1);
                INSERT INTO RunMetrics (RunId, Step, Loss, LearningRate) VALUES (1, 3, 1.7, 0.2);
                """);

            await migrator.MigrateAsync();

            var rows = await db.RunMetrics.AsNoTracking().OrderBy(m => m.Step).Select(m => new { m.Step, m.Loss, m.EvalLoss, m.LearningRate }).ToListAsync();
            Assert.Equal([new { Step = 1, Loss = (double?)2.0, EvalLoss = (double?)null, LearningRate = (double?)0.1 },
                          new { Step = 2, Loss = (double?)1.9, EvalLoss = (double?)1.5, LearningRate = (double?)0.1 },
                          new { Step = 3, Loss = (double?)1.7, EvalLoss = (double?)null, LearningRate = (double?)0.2 }], rows);
            // and from now on the database itself refuses a second row for a step
            var twice = await Assert.ThrowsAsync<DbUpdateException>(async () =>
            {
                db.RunMetrics.Add(new RunMetric { RunId = 1, Step = 3, Loss = 9 });
                await db.SaveChangesAsync();
            });
            Assert.Contains("UNIQUE", twice.InnerException!.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
