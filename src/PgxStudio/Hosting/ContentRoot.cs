namespace PgxStudio.Hosting;

/// <summary>
/// The studio reads appsettings.json, data/ and saves/ from the repo root (its web assets travel with the build,
/// see <see cref="StudioDefaults.WebRoot"/>). Found from --contentRoot,
/// the PGX_HOME variable, the current folder, or by walking up from the executable to the folder holding
/// PgxStudio.sln.
/// </summary>
public static class ContentRoot
{
    public static string Find(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            foreach (var name in new[] { "--contentRoot", "--contentroot", "--content-root" })
            {
                if (arg.Equals(name, StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length) return Path.GetFullPath(args[i + 1]);
                if (arg.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(arg[(name.Length + 1)..]);
            }
        }
        var home = Environment.GetEnvironmentVariable("PGX_HOME");
        if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(home);
        var cwd = Directory.GetCurrentDirectory();
        if (IsRoot(cwd)) return cwd;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (IsRoot(dir.FullName)) return dir.FullName;
        return cwd;
    }

    static bool IsRoot(string dir) =>
        File.Exists(Path.Combine(dir, "appsettings.json")) &&
        (File.Exists(Path.Combine(dir, "PgxStudio.sln")) || Directory.Exists(Path.Combine(dir, "wwwroot")));
}
