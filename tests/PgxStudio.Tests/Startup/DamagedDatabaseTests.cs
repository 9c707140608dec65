using Microsoft.Data.Sqlite;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

[Collection(StudioCollection.Name)]
public class DamagedDatabaseTests
{
    [Fact]
    public async Task A_damaged_page_in_studio_db_stops_the_start_with_the_file_and_the_fix()
    {
        using var root = new TempContentRoot();
        await using (var studio = await StudioInstance.StartAsync(root.Path))
        {
            var run = await studio.Get<RunService>().EnqueueAsync(RunKind.SelfTest, "history", "alice", SelfTestConfig.Create(2, 10));
            await new RunsProbe(studio).WaitUntilFinished(run.Id);
        }
        var database = Path.Combine(root.Saves, "studio.db");
        int page, pageSize;
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            // Enough history that the metrics table spans many pages, then everything in the main file.
            await Execute(connection, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) " +
                                      "INSERT INTO RunMetrics (RunId, Step, Loss) SELECT 1, i + 100, 1.0 / i FROM n");
            await Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
            page = Convert.ToInt32(await Scalar(connection, "SELECT rootpage FROM sqlite_master WHERE name = 'RunMetrics'"));
            pageSize = Convert.ToInt32(await Scalar(connection, "PRAGMA page_size"));
        }
        SqliteConnection.ClearAllPools();
        // The table's first page gets an impossible page type, as a torn write or a failing drive leaves it.
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Position = (long)(page - 1) * pageSize;
            file.WriteByte(0x00);
        }

        await using var restarted = StudioProcess.Start(root.Path, null, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, await restarted.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var line = Assert.Single(restarted.Output, l => l.StartsWith("pgx: ", StringComparison.Ordinal));
        Assert.StartsWith($"pgx: {database} is damaged (SQLite's quick_check: ", line);
        Assert.Contains(".recover", line);
        Assert.DoesNotContain(restarted.Output, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
