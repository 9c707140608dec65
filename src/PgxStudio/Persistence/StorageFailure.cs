using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace PgxStudio.Persistence;

/// <summary>
/// A write the studio could not make (a full disk, a read-only or damaged database, a failing drive), told in one
/// sentence. EF Core reports through Microsoft.Data.Sqlite, the job queue through sqlite-net, files through IOException.
/// </summary>
public static class StorageFailure
{
    const int SqliteReadOnly = 8, SqliteIoError = 10, SqliteCorrupt = 11, SqliteFull = 13, Enospc = 28;

    /// <summary>True for the failures of a storage write; anything else is a bug and should surface as one.</summary>
    public static bool Is(Exception e) => Find(e) is not null;

    /// <summary>"the disk holding … is full", "… is read-only", …: the cause, to finish a sentence.</summary>
    public static string Cause(Exception e) => Find(e) switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } or SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Full } => "the disk is full",
        SqliteException { SqliteErrorCode: SqliteReadOnly } or SQLite.SQLiteException { Result: SQLite.SQLite3.Result.ReadOnly } => "the database is read-only",
        SqliteException { SqliteErrorCode: SqliteCorrupt } or SQLite.SQLiteException { Result: SQLite.SQLite3.Result.Corrupt } => "the database is damaged",
        SqliteException { SqliteErrorCode: SqliteIoError } or SQLite.SQLiteException { Result: SQLite.SQLite3.Result.IOError } => "the disk could not be written",
        IOException io when (io.HResult & 0xFFFF) == Enospc => "the disk is full",
        { } found => found.Message.TrimEnd('.'),
        null => e.Message.TrimEnd('.'),
    };

    /// <summary>The sentence a page shows when an action could not be recorded.</summary>
    public static string Explain(string what, Exception e) =>
        $"{what} could not be recorded: {Cause(e)}; free some space (or fix the disk) and try again.";

    static Exception? Find(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is DbException or SQLite.SQLiteException or IOException) return x;
        return e is DbUpdateException ? e : null;
    }
}
