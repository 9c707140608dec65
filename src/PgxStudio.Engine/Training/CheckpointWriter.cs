using System.Text.Json;

namespace PgxStudio.Engine.Training;

/// <summary>
/// Saves checkpoint-N/ folders atomically: everything is written into a hidden temporary folder next to it, flushed,
/// and only then renamed to checkpoint-N. A crash or a full disk while saving leaves the previous checkpoints intact
/// and never a half-written folder under a checkpoint name (<see cref="CheckpointLocator"/> ignores the leftovers).
/// </summary>
public sealed class CheckpointWriter(string outputDir)
{
    public const string Prefix = "checkpoint-";
    internal const string TempPrefix = ".tmp-" + Prefix;
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string OutputDir { get; } = outputDir;

    public static string FolderName(int step) => Prefix + step;

    /// <summary>Writes checkpoint-<paramref name="step"/> and returns its path; replaces one of the same step.</summary>
    public string Save(int step, CheckpointContents contents)
    {
        Directory.CreateDirectory(OutputDir);
        RemoveLeftovers();
        var final = Path.Combine(OutputDir, FolderName(step));
        var temp = Path.Combine(OutputDir, $"{TempPrefix}{step}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var (name, write) in contents.Files)
            {
                if (name != Path.GetFileName(name) || name.Length == 0)
                    throw new ArgumentException($"Checkpoint file name '{name}' must be a plain file name.");
                WriteFile(Path.Combine(temp, name), write);
            }
            WriteFile(Path.Combine(temp, SchedulerState.FileName), s => JsonSerializer.Serialize(s, contents.Scheduler, Indented));
            WriteFile(Path.Combine(temp, RngState.FileName), s => JsonSerializer.Serialize(s, contents.Rng, Indented));
            if (contents.Arguments is not null)
                WriteFile(Path.Combine(temp, "training_args.yaml"), s =>
                {
                    using var w = new StreamWriter(s, leaveOpen: true);
                    w.Write(TrainingArgumentsYaml.ToYaml(contents.Arguments));
                });
            // trainer_state.json last: its presence is what marks a checkpoint complete
            WriteFile(Path.Combine(temp, TrainerState.FileName), s =>
            {
                using var w = new StreamWriter(s, leaveOpen: true);
                w.Write(contents.State.ToJson());
            });

            if (Directory.Exists(final))
            {
                // same step saved again (e.g. a stop request right after a scheduled save): swap, then drop the old
                var old = Path.Combine(OutputDir, $"{TempPrefix}{step}-old-{Guid.NewGuid():N}");
                Directory.Move(final, old);
                Directory.Move(temp, final);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Move(temp, final);
            }
            return final;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Deletes the oldest complete checkpoints beyond <paramref name="limit"/> (save_total_limit).</summary>
    public IReadOnlyList<string> Rotate(int limit)
    {
        var all = CheckpointLocator.List(OutputDir);
        var removed = all.Take(Math.Max(0, all.Count - limit)).Select(c => c.Path).ToArray();
        foreach (var path in removed) Directory.Delete(path, recursive: true);
        return removed;
    }

    static void WriteFile(string path, Action<Stream> write)
    {
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        write(f);
        f.Flush(flushToDisk: true);
    }

    void RemoveLeftovers()
    {
        foreach (var d in Directory.EnumerateDirectories(OutputDir, TempPrefix + "*")) TryDelete(d);
    }

    static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // a leftover is harmless: it is hidden and removed on the next save
        catch (UnauthorizedAccessException) { }
    }
}
