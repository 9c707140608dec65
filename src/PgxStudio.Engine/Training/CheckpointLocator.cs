using System.Globalization;
using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Training;

/// <summary>A complete checkpoint folder and the optimizer step it was saved at.</summary>
public sealed record CheckpointInfo(int Step, string Path);

/// <summary>
/// Finds checkpoints in a run's folder: only checkpoint-N folders holding trainer_state.json count (the writer puts
/// it last), and resolves resume_from_checkpoint ("true" for the latest, or a path).
/// </summary>
public static partial class CheckpointLocator
{
    [GeneratedRegex(@"^checkpoint-(\d+)$")]
    private static partial Regex FolderPattern();

    /// <summary>Complete checkpoints, oldest step first.</summary>
    public static IReadOnlyList<CheckpointInfo> List(string outputDir)
    {
        if (!Directory.Exists(outputDir)) return [];
        return Directory.EnumerateDirectories(outputDir)
            .Select(d => (Dir: d, Match: FolderPattern().Match(System.IO.Path.GetFileName(d))))
            .Where(x => x.Match.Success && IsComplete(x.Dir))
            .Select(x => new CheckpointInfo(int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Dir))
            .OrderBy(c => c.Step)
            .ToArray();
    }

    public static bool IsComplete(string checkpointDir) => File.Exists(System.IO.Path.Combine(checkpointDir, TrainerState.FileName));

    public static CheckpointInfo? Latest(string outputDir) => List(outputDir).LastOrDefault();

    /// <summary>
    /// The checkpoint a run resumes from: null when resume_from_checkpoint is unset or false; the latest in
    /// output_dir for "true"; else the given folder (relative to output_dir when not rooted).
    /// </summary>
    public static CheckpointInfo? Resolve(string? resumeFromCheckpoint, string outputDir)
    {
        var value = resumeFromCheckpoint?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("false", StringComparison.OrdinalIgnoreCase)) return null;
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
            return Latest(outputDir) ?? throw new TrainingConfigException(
                $"resume_from_checkpoint is true, but {outputDir} has no complete checkpoint-N folder to resume from.");
        var path = System.IO.Path.IsPathRooted(value) || Directory.Exists(value) ? value : System.IO.Path.Combine(outputDir, value);
        if (!Directory.Exists(path))
            throw new TrainingConfigException($"resume_from_checkpoint: the folder {value} does not exist.");
        if (!IsComplete(path))
            throw new TrainingConfigException($"resume_from_checkpoint: {path} has no {TrainerState.FileName}, so it is not a complete checkpoint.");
        var state = TrainerState.Load(System.IO.Path.Combine(path, TrainerState.FileName));
        return new CheckpointInfo(state.GlobalStep, System.IO.Path.GetFullPath(path));
    }
}
