using Microsoft.Data.Sqlite;

namespace PgxStudio.Hosting;

/// <summary>
/// A damaged page in a database opens fine and fails later, page by page (500s on the pages that read it). SQLite's
/// quick_check reads every page once at start-up, so the studio stops with the file's name and the fix instead.
/// </summary>
public static class DatabaseIntegrity
{
    public static void Check(string path)
    {
        if (!File.Exists(path)) return; // created on first start
        string result;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1);";
            result = command.ExecuteScalar() as string ?? "no answer";
        }
        catch (SqliteException e)
        {
            throw StartupChecks.CorruptDatabase(path, e);
        }
        if (result != "ok")
            throw new StartupProblem(
                $"{path} is damaged (SQLite's quick_check: {OneLine(result)}); stop here and recover it with `sqlite3 {path} .recover | sqlite3 {path}.recovered` then put the recovered file in its place, or move it aside to start with an empty history.");
    }

    /// <summary>quick_check answers "*** in database main ***" and a line per problem: one line for the sentence.</summary>
    static string OneLine(string result) => string.Join("; ", result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => !l.StartsWith("***", StringComparison.Ordinal))).TrimEnd('.');
}
