namespace PgxStudio.Hosting;

/// <summary>Absolute paths derived from the content root and <see cref="StudioOptions"/>.</summary>
public sealed class StudioPaths(string contentRoot, StudioOptions options)
{
    readonly StudioOptions _options = options;

    public string ContentRoot { get; } = Path.GetFullPath(contentRoot);
    public string Saves => Resolve(_options.SavesDirectory);
    public string Data => Resolve(_options.DataDirectory);
    public string Database => string.IsNullOrWhiteSpace(_options.DatabasePath) ? Path.Combine(Saves, "studio.db") : Resolve(_options.DatabasePath);
    public string QueueDatabase => string.IsNullOrWhiteSpace(_options.QueueDatabasePath) ? Path.Combine(Saves, "hangfire.db") : Resolve(_options.QueueDatabasePath);
    public string DefaultModel => Resolve(_options.DefaultModel);
    public IReadOnlyList<string> ModelRoots => _options.ModelRoots.Select(Resolve).ToList();

    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ContentRoot, path));

    /// <summary>Null when the model folder a page was given exists, else the sentence the page shows.</summary>
    public string? MissingModelFolder(string modelPath) => Directory.Exists(Resolve(modelPath.Trim())) ? null
        : $"The model folder {modelPath.Trim()} does not exist; choose one from the list or type the path of a Hugging Face model folder.";

    /// <summary>True when <paramref name="path"/> lies inside saves/ (the only place the studio deletes files).</summary>
    public bool IsUnderSaves(string path)
    {
        var full = Path.GetFullPath(path);
        var saves = Path.TrimEndingDirectorySeparator(Saves) + Path.DirectorySeparatorChar;
        return full.StartsWith(saves, StringComparison.Ordinal);
    }
}
