namespace PgxStudio.Engine.Models;

/// <summary>
/// Finds local Hugging Face model folders under the configured roots: plain folders holding config.json, and the
/// hub cache layout (`models--org--name/snapshots/&lt;revision&gt;/`), where the newest snapshot is offered.
/// </summary>
public static class ModelCatalog
{
    public sealed record Entry(string Name, string Path, string Architecture, long Bytes, string? Problem);

    public static IReadOnlyList<Entry> Scan(IEnumerable<string> roots, int maxDepth = 3)
    {
        var found = new List<Entry>();
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var dir in Walk(root, maxDepth))
            {
                var name = Path.GetFileName(dir);
                if (name.StartsWith("models--", StringComparison.Ordinal))
                {
                    var snapshots = Path.Combine(dir, "snapshots");
                    var newest = Directory.Exists(snapshots)
                        ? Directory.GetDirectories(snapshots).Where(IsModel).OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault()
                        : null;
                    if (newest is not null) found.Add(Describe(name["models--".Length..].Replace("--", "/"), newest));
                }
                else if (IsModel(dir) && !dir.Contains($"{Path.DirectorySeparatorChar}snapshots{Path.DirectorySeparatorChar}"))
                    found.Add(Describe(Path.GetRelativePath(root, dir), dir));
            }
        }
        return found.DistinctBy(e => e.Path).OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    static bool IsModel(string dir) => File.Exists(Path.Combine(dir, "config.json")) &&
        (File.Exists(Path.Combine(dir, "model.safetensors")) || File.Exists(Path.Combine(dir, "model.safetensors.index.json")));

    static Entry Describe(string name, string dir)
    {
        long bytes = Directory.EnumerateFiles(dir, "*.safetensors").Sum(f => new FileInfo(f).Length); // follows hub symlinks
        try
        {
            return new Entry(name, dir, ModelConfig.Load(dir).Architecture, bytes, null);
        }
        catch (ModelFileException e)
        {
            return new Entry(name, dir, "unsupported", bytes, e.Message);
        }
    }

    static IEnumerable<string> Walk(string root, int depth)
    {
        if (depth < 0) yield break;
        string[] children;
        try { children = Directory.GetDirectories(root); }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (var child in children)
        {
            yield return child;
            if (!Path.GetFileName(child).StartsWith("models--", StringComparison.Ordinal) && !IsModel(child))
                foreach (var inner in Walk(child, depth - 1)) yield return inner;
        }
    }
}
