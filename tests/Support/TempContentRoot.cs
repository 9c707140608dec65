using System.Text.Json.Nodes;

namespace PgxStudio.TestSupport;

/// <summary>
/// A throwaway studio content root: the project's committed appsettings.json (with overrides) and data/, and an
/// empty saves/. Never the live data/ (a dataset uploaded through the studio would change what tests see) and no
/// wwwroot/: the studio serves its own web assets whatever the content root. Deleted on dispose.
/// </summary>
public sealed class TempContentRoot : IDisposable
{
    public string Path { get; }

    /// <param name="adjust">Changes to appsettings.json; by default the studio listens on a free loopback port.</param>
    public TempContentRoot(Action<JsonObject>? adjust = null) : this(testPort: true, adjust) { }

    TempContentRoot(bool testPort, Action<JsonObject>? adjust)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pgx-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        var settings = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(CommittedFiles.Root, "appsettings.json")))!.AsObject();
        if (testPort) settings["Urls"] = "http://127.0.0.1:0";
        settings["Studio"]!["CancelGraceSeconds"] = 20;
        adjust?.Invoke(settings);
        File.WriteAllText(System.IO.Path.Combine(Path, "appsettings.json"), settings.ToJsonString(new() { WriteIndented = true }));
        CommittedFiles.CopyTo("data", System.IO.Path.Combine(Path, "data"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "saves"));
    }

    /// <summary>A root whose appsettings.json says where to listen exactly as the committed one does.</summary>
    public static TempContentRoot WithCommittedListening() => new(testPort: false, null);

    public string Saves => System.IO.Path.Combine(Path, "saves");

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
