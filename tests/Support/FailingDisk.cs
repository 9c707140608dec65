using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PgxStudio.TestSupport;

/// <summary>
/// The disk under a studio database going bad, told to SQLite itself on every connection the studio opens:
/// <see cref="Fill"/> caps the file at its size (`PRAGMA max_page_count`) and uses up its free pages, so SQLite answers
/// writes that need another page with error 13, "database or disk is full"; <see cref="MakeReadOnly"/> refuses every
/// write (`PRAGMA query_only`, error 8), as a file system remounted read-only after an error does; <see cref="Repair"/>
/// lifts both, as freeing space or fixing the disk does.
/// </summary>
public sealed class FailingDisk(string databasePath) : DbConnectionInterceptor
{
    volatile bool _full;
    volatile bool _readOnly;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        // 1 is raised by SQLite to the file's current size: no growth at all. The large value is SQLite's own ceiling.
        command.CommandText = (_full ? "PRAGMA max_page_count = 1;" : "PRAGMA max_page_count = 4294967294;") +
                              (_readOnly ? "PRAGMA query_only = 1;" : "PRAGMA query_only = 0;");
        command.ExecuteNonQuery();
    }

    /// <summary>Caps the database and fills its free pages with a table of its own, down to the last few bytes.</summary>
    public void Fill()
    {
        _full = true;
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        Apply(connection);
        try { Execute(connection, "CREATE TABLE IF NOT EXISTS DiskFiller (Bytes BLOB)", null); }
        catch (SqliteException e) when (e.SqliteErrorCode == 13) { return; } // not even a page free for it
        foreach (var size in new[] { 65536, 4096, 512, 64, 8 })
        {
            try { while (true) Execute(connection, "INSERT INTO DiskFiller VALUES ($bytes)", new byte[size]); }
            catch (SqliteException e) when (e.SqliteErrorCode == 13) { }
        }
    }

    public void MakeReadOnly() => _readOnly = true;

    public void Repair() => _full = _readOnly = false;

    static void Execute(SqliteConnection connection, string sql, byte[]? bytes)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (bytes is not null) command.Parameters.AddWithValue("$bytes", bytes);
        command.ExecuteNonQuery();
    }
}
