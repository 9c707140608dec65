namespace PgxStudio.Engine.Export;

/// <summary>
/// Where an export is built and how it replaces what was there: everything is written into a staging folder beside
/// export_dir and moved into place only when complete, so a failed or cancelled export leaves nothing half-written,
/// and an existing folder is replaced only when it is an earlier export (it holds pgx_export.json).
/// </summary>
public static class ExportFolder
{
    /// <summary>The sentence saying why <paramref name="exportDir"/> cannot receive an export, or null when it can.</summary>
    public static string? Problem(string exportDir, string modelDirectory)
    {
        var full = Path.GetFullPath(exportDir);
        if (full == Path.GetFullPath(modelDirectory))
            return $"export_dir {exportDir} is the model folder itself; export into a new folder.";
        if (File.Exists(full))
            return $"export_dir {exportDir} is a file; name a folder.";
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, ExportManifest.FileName)))
            return $"export_dir {exportDir} already holds files that are not an earlier export (it has no {ExportManifest.FileName}); choose another name or move them away.";
        return null;
    }

    /// <summary>A fresh staging folder beside export_dir (a leftover of an interrupted export is cleared).</summary>
    public static string Stage(string exportDir)
    {
        var full = Path.GetFullPath(exportDir);
        var staging = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.exporting");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Moves the finished staging folder to export_dir, replacing an earlier export there.</summary>
    public static void Publish(string staging, string exportDir)
    {
        var full = Path.GetFullPath(exportDir);
        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        Directory.Move(staging, full);
    }

    public static void Discard(string staging)
    {
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
    }
}
