namespace PgxStudio.Runs;

/// <summary>
/// The model's name as the first level of a run's folder (LlamaBoard's saves/&lt;model&gt;/…): the last part of its
/// path after "." and ".." are resolved, so "models/x/other/.." names x and never leads a run out of saves/.
/// </summary>
public static class ModelFolderName
{
    public static string Of(string modelPath)
    {
        var trimmed = modelPath.Trim().Replace('\\', '/');
        if (trimmed.Length == 0) return "model";
        // Resolved against a fixed root, so only the path's own "." and ".." count, not the current folder.
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(trimmed, "/")));
        return name is { Length: > 0 } and not ("." or "..") ? name : "model";
    }
}
