namespace PgxStudio.Engine.Training;

/// <summary>How a run starts in its output_dir: fresh, over a previous run's outputs, or resuming a checkpoint.</summary>
public sealed record OutputDirectoryDecision(string OutputDir, CheckpointInfo? ResumeFrom, bool Overwrote)
{
    public bool Resuming => ResumeFrom is not null;
}

/// <summary>
/// The output_dir rule: a folder holding another run's outputs is refused unless overwrite_output_dir is true
/// (then that run's outputs are removed) or the run resumes from one of its checkpoints.
/// </summary>
public static class OutputDirectory
{
    /// <summary>The files and folders a run writes; only these are removed by overwrite_output_dir.</summary>
    public static readonly string[] RunOutputs =
    [
        TrainerLogWriter.FileName, TrainerState.FileName, TrainResults.FileName, TrainResults.AllResultsFileName,
        LossPlot.FileName, "training_args.yaml", "adapter_model.safetensors", "adapter_config.json", "model.safetensors",
        "model.safetensors.index.json", "config.json", "eval_results.json",
    ];

    public static OutputDirectoryDecision Prepare(TrainingArguments args)
    {
        var dir = args.OutputDir ?? throw new TrainingConfigException("output_dir is missing: set the folder the run writes to.");
        var resume = CheckpointLocator.Resolve(args.ResumeFromCheckpoint, dir);
        if (resume is not null)
        {
            Directory.CreateDirectory(dir);
            return new OutputDirectoryDecision(dir, resume, Overwrote: false);
        }
        bool hasOutputs = HoldsRunOutputs(dir);
        if (hasOutputs && !args.OverwriteOutputDir)
        {
            var hint = CheckpointLocator.Latest(dir) is { } latest
                ? $" or set resume_from_checkpoint=true to continue from {Path.GetFileName(latest.Path)}"
                : "";
            throw new TrainingConfigException(
                $"output_dir {dir} already holds another run's outputs: choose a new output_dir, set overwrite_output_dir=true to replace them{hint}.");
        }
        if (hasOutputs) RemoveRunOutputs(dir);
        Directory.CreateDirectory(dir);
        return new OutputDirectoryDecision(dir, null, Overwrote: hasOutputs);
    }

    /// <summary>
    /// Whether a run already wrote here. Other files do not count: the studio puts the run's config and worker log in
    /// the folder before the worker starts, and a user may keep notes beside their outputs.
    /// </summary>
    static bool HoldsRunOutputs(string dir) =>
        Directory.Exists(dir) &&
        (RunOutputs.Any(name => File.Exists(Path.Combine(dir, name))) ||
         Directory.EnumerateDirectories(dir, CheckpointWriter.Prefix + "*").Any());

    static void RemoveRunOutputs(string dir)
    {
        foreach (var name in RunOutputs)
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) File.Delete(path);
        }
        foreach (var checkpoint in Directory.EnumerateDirectories(dir, CheckpointWriter.Prefix + "*")
                     .Concat(Directory.EnumerateDirectories(dir, CheckpointWriter.TempPrefix + "*")))
            Directory.Delete(checkpoint, recursive: true);
    }
}
