using System.Diagnostics;
using System.Formats.Tar;

namespace PgxStudio.TestSupport;

/// <summary>
/// The project's files as last committed (git HEAD), not as they lie in the working tree: a dataset a user uploaded
/// through the studio, an edited appsettings.json or a run's output never reach a test.
/// </summary>
public static class CommittedFiles
{
    static readonly Lazy<string> Snapshot = new(() =>
    {
        var folder = Extract(RepoPaths.Root, "data", "appsettings.json");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        };
        return folder;
    });

    /// <summary>The repository's committed <c>data/</c> and <c>appsettings.json</c>, extracted once per test process.</summary>
    public static string Root => Snapshot.Value;

    /// <summary>Copies the committed <paramref name="relativePath"/> (a file or a folder) to <paramref name="to"/>.</summary>
    public static void CopyTo(string relativePath, string to)
    {
        var from = Path.Combine(Root, relativePath);
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            return;
        }
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// Extracts the given paths of <paramref name="repository"/>'s HEAD commit into a new temporary folder and returns
    /// it. Needs git and a clone (as CI has); anything else fails with a sentence saying so.
    /// </summary>
    public static string Extract(string repository, params string[] paths)
    {
        var folder = Directory.CreateTempSubdirectory("pgx-committed-").FullName;
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // A clone owned by another user (CI containers) is still ours to read.
        foreach (var a in new[] { "-c", $"safe.directory={repository}", "-C", repository, "archive", "--format=tar", "HEAD", "--" }.Concat(paths))
            info.ArgumentList.Add(a);
        Process git;
        try { git = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Tests take the committed demo files from git, but git could not run ({e.Message}); install git and run the tests from a clone.");
        }
        using (git)
        {
            var error = git.StandardError.ReadToEndAsync();
            using (var archive = new MemoryStream())
            {
                git.StandardOutput.BaseStream.CopyTo(archive);
                git.WaitForExit();
                if (git.ExitCode != 0)
                    throw new InvalidOperationException($"git archive HEAD {string.Join(' ', paths)} in {repository} failed: {error.Result.Trim()}; run the tests from a clone whose HEAD holds these files.");
                archive.Position = 0;
                TarFile.ExtractToDirectory(archive, folder, overwriteFiles: false);
            }
        }
        return folder;
    }
}
