using System.Text.Json.Nodes;

namespace PgxStudio.TestSupport;

/// <summary>
/// A throwaway studio content root: the repo's appsettings.json (with overrides), wwwroot and data, and an empty
/// saves/. Deleted on dispose.
/// </summary>
public sealed class TempContentRoot : IDisposable
{
    public string Path { get; }

    public TempContentRoot(Action<JsonObject>? adjust = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pgx-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        var settings = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(RepoPaths.Root, "appsettings.json")))!.AsObject();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Studio"]!["CancelGraceSeconds"] = 20;
        adjust?.Invoke(settings);
        File.WriteAllText(System.IO.Path.Combine(Path, "appsettings.json"), settings.ToJsonString(new() { WriteIndented = true }));
        CopyFolder(System.IO.Path.Combine(RepoPaths.Root, "wwwroot"), System.IO.Path.Combine(Path, "wwwroot"));
        CopyFolder(System.IO.Path.Combine(RepoPaths.Root, "data"), System.IO.Path.Combine(Path, "data"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "saves"));
    }

    public string Saves => System.IO.Path.Combine(Path, "saves");

    static void CopyFolder(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
