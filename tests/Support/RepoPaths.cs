namespace PgxStudio.TestSupport;

/// <summary>Where the repository and the shared folder beside it are, seen from a test's bin folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Artifacts
    {
        get
        {
            var dir = Path.Combine(Root, "artifacts");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) return dir.FullName;
        throw new InvalidOperationException("Tests must run from inside the repository (PgxStudio.sln not found above the test folder).");
    }
}
