using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PgxStudio.TestSupport;

/// <summary>
/// A studio database on a disk that fills up: every connection the studio opens gets SQLite's own size cap
/// (`PRAGMA max_page_count`), so once <see cref="Fill"/> has used up the free pages, SQLite itself answers every
/// write that needs another page with error 13, "database or disk is full", as on a full disk; <see cref="Free"/>
/// lifts the cap, as freeing space does.
/// </summary>
public sealed class FullDisk(string databasePath) : DbConnectionInterceptor
{
    volatile bool _full;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        // 1 is raised by SQLite to the current size: no growth at all. The large value is SQLite's own ceiling.
        command.CommandText = _full ? "PRAGMA max_page_count = 1;" : "PRAGMA max_page_count = 4294967294;";
        command.ExecuteNonQuery();
    }

    /// <summary>Caps the database and fills its free pages with a table of its own, down to the last few bytes.</summary>
    public void Fill()
    {
        _full = true;
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        Apply(connection);
        Execute(connection, "CREATE TABLE IF NOT EXISTS DiskFiller (Bytes BLOB)", null);
        foreach (var size in new[] { 65536, 4096, 512, 64, 8 })
        {
            try { while (true) Execute(connection, "INSERT INTO DiskFiller VALUES ($bytes)", new byte[size]); }
            catch (SqliteException e) when (e.SqliteErrorCode == 13) { }
        }
    }

    public void Free() => _full = false;

    static void Execute(SqliteConnection connection, string sql, byte[]? bytes)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (bytes is not null) command.Parameters.AddWithValue("$bytes", bytes);
        command.ExecuteNonQuery();
    }
}
