using PgxStudio.Hosting;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// A run's folder: its files with sizes and the tail of its worker log. Only real files inside the folder count: a
/// symbolic link (to /etc, say) is neither listed, served nor followed, wherever it points.
/// </summary>
public sealed class RunFiles(StudioPaths paths)
{
    public const string LogFileName = "worker.log";

    public string FolderOf(Run run) => paths.Resolve(run.OutputDir);

    /// <summary>
    /// The full path of a real file inside the run's folder, or null when the name leads outside it, is not there, or
    /// passes through a symbolic link on the way.
    /// </summary>
    public string? Find(Run run, string relativePath)
    {
        if (string.IsNullOrEmpty(run.OutputDir)) return null;
        var folder = Path.TrimEndingDirectorySeparator(FolderOf(run)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(folder, relativePath));
        if (!full.StartsWith(folder, StringComparison.Ordinal)) return null;
        // Every step below the run's folder must be a real folder, and the last a real file.
        var step = folder;
        foreach (var part in Path.GetRelativePath(folder, full).Split(Path.DirectorySeparatorChar))
        {
            step = Path.Combine(step, part);
            var info = new FileInfo(step);
            if (info.LinkTarget is not null) return null;
        }
        return File.Exists(full) && new FileInfo(full).LinkTarget is null ? full : null;
    }

    static readonly EnumerationOptions RealEntries = new()
    {
        RecurseSubdirectories = true,
        // On Linux a symbolic link carries ReparsePoint: skipped, so a linked folder is never entered either.
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = true,
    };

    public IReadOnlyList<RunFile> List(Run run)
    {
        var folder = FolderOf(run);
        if (string.IsNullOrEmpty(run.OutputDir) || !Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*", RealEntries)
            .Select(f => new FileInfo(f))
            .OrderBy(f => f.FullName, StringComparer.Ordinal)
            .Select(f => new RunFile(Path.GetRelativePath(folder, f.FullName), f.Length, f.LastWriteTimeUtc))
            .ToList();
    }

    /// <summary>The last lines of the worker log, read from the end so a long log costs nothing.</summary>
    public IReadOnlyList<string> TailLog(Run run, int lines)
    {
        if (Find(run, LogFileName) is not { } path) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long start = Math.Max(0, stream.Length - 64 * 1024);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (start > 0 && all.Length > 0) all = all[1..]; // the first line was cut in the middle
        return all.TakeLast(lines).Select(l => l.TrimEnd('\r')).ToList();
    }

    /// <summary>Removes the run's folder, but only when it lies under saves/: the studio never deletes elsewhere.</summary>
    public bool DeleteFolder(Run run)
    {
        var folder = FolderOf(run);
        if (string.IsNullOrEmpty(run.OutputDir) || !paths.IsUnderSaves(folder) || !Directory.Exists(folder)) return false;
        Directory.Delete(folder, recursive: true);
        return true;
    }
}

public sealed record RunFile(string RelativePath, long Bytes, DateTime ModifiedUtc)
{
    public string Size => Components.Shared.ByteSize.Text(Bytes);
}
