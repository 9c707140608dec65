namespace PgxStudio.Engine.Tests.Data;

static class RepoPaths
{
    /// <summary>The folder holding PgxStudio.sln, found by walking up from the test's base directory.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("PgxStudio.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string RealDatasets => Path.GetFullPath(Path.Combine(Root, "..", "shared", "datasets", "real"));
}

sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pgx-data-").FullName;
    public string Write(string name, string text) { var p = System.IO.Path.Combine(Path, name); File.WriteAllText(p, text); return p; }
    public void Dispose() => Directory.Delete(Path, true);
}
