using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public sealed class OutputDirectoryTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("pgx-out-").FullName;
    public void Dispose() => Directory.Delete(_root, true);

    TrainingArguments Args(string? resume = null, bool overwrite = false) => new()
    {
        ModelNameOrPath = "m", Dataset = "d", OutputDir = Path.Combine(_root, "run"),
        ResumeFromCheckpoint = resume, OverwriteOutputDir = overwrite,
    };

    void PreviousRun()
    {
        var dir = Path.Combine(_root, "run");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "trainer_log.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        new CheckpointWriter(dir).Save(4, new CheckpointContents
        {
            State = new TrainerState { GlobalStep = 4 },
            Scheduler = new SchedulerState("linear", 1e-4, 0, 8, 4),
            Rng = new RngState(42, 0, 4),
        });
    }

    [Fact]
    public void NewOrEmptyFolderStartsFresh()
    {
        var d = OutputDirectory.Prepare(Args());
        Assert.False(d.Resuming);
        Assert.True(Directory.Exists(d.OutputDir));
        Assert.False(OutputDirectory.Prepare(Args()).Resuming); // still empty
    }

    [Fact]
    public void TheStudiosConfigAndWorkerLogAreNotAnotherRunsOutputs()
    {
        // The studio writes these into a queued run's folder before its worker starts training there.
        var dir = Path.Combine(_root, "run");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "studio_config.yaml"), "model_name_or_path: m\n");
        File.WriteAllText(Path.Combine(dir, "worker.log"), "");
        var d = OutputDirectory.Prepare(Args());
        Assert.False(d.Overwrote);
        Assert.True(File.Exists(Path.Combine(dir, "studio_config.yaml")));
    }

    [Fact]
    public void AnotherRunsOutputsAreRefusedWithAClearMessage()
    {
        PreviousRun();
        var e = Assert.Throws<TrainingConfigException>(() => OutputDirectory.Prepare(Args()));
        Assert.Contains("overwrite_output_dir", e.Message);
        Assert.Contains("resume_from_checkpoint=true", e.Message);
        Assert.Contains("checkpoint-4", e.Message);
    }

    [Fact]
    public void OverwriteRemovesTheRunsOutputsOnly()
    {
        PreviousRun();
        var d = OutputDirectory.Prepare(Args(overwrite: true));
        Assert.True(d.Overwrote);
        Assert.False(File.Exists(Path.Combine(d.OutputDir, "trainer_log.jsonl")));
        Assert.Empty(CheckpointLocator.List(d.OutputDir));
        Assert.True(File.Exists(Path.Combine(d.OutputDir, "notes.txt")));
    }

    [Fact]
    public void ResumingIntoTheFolderIsAllowed()
    {
        PreviousRun();
        var d = OutputDirectory.Prepare(Args(resume: "true"));
        Assert.True(d.Resuming);
        Assert.Equal(4, d.ResumeFrom!.Step);
        Assert.True(File.Exists(Path.Combine(d.OutputDir, "trainer_log.jsonl")));
    }
}
