using System.Text;
using System.Text.Json;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pgx-ckpt-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    static CheckpointContents Contents(int step, Action<Stream>? weights = null)
    {
        var schedule = new LearningRateSchedule("cosine", 1e-4, 2, 20);
        var state = new TrainerState { GlobalStep = step, MaxSteps = 20 };
        state.LogTraining(step, step / 10.0, 1.5, schedule.LearningRateAt(step - 1));
        return new CheckpointContents
        {
            State = state,
            Scheduler = SchedulerState.Of(schedule, step),
            Rng = new RngState(42, 1, 3, [1, 2, 3, 4]),
            Arguments = new TrainingArguments { ModelNameOrPath = "m", Dataset = "d", OutputDir = "o" },
            Files = new Dictionary<string, Action<Stream>>
            {
                ["adapter_model.safetensors"] = weights ?? (s => s.Write(Encoding.ASCII.GetBytes($"weights at {step}"))),
                ["optimizer.safetensors"] = s => s.Write(new byte[1024]),
            },
        };
    }

    [Fact]
    public void SavesAllFilesAndTheLocatorFindsTheLatest()
    {
        var writer = new CheckpointWriter(_dir);
        writer.Save(5, Contents(5));
        var path = writer.Save(10, Contents(10));
        Assert.Equal(Path.Combine(_dir, "checkpoint-10"), path);
        foreach (var f in new[] { "adapter_model.safetensors", "optimizer.safetensors", "trainer_state.json", "scheduler.json", "rng_state.json", "training_args.yaml" })
            Assert.True(File.Exists(Path.Combine(path, f)), f);
        Assert.Equal([5, 10], CheckpointLocator.List(_dir).Select(c => c.Step));
        Assert.Equal(10, CheckpointLocator.Latest(_dir)!.Step);

        var scheduler = JsonSerializer.Deserialize<SchedulerState>(File.ReadAllText(Path.Combine(path, "scheduler.json")))!;
        Assert.Equal(new LearningRateSchedule("cosine", 1e-4, 2, 20).LearningRateAt(10), scheduler.ToSchedule().LearningRateAt(10));
        var rng = JsonSerializer.Deserialize<RngState>(File.ReadAllText(Path.Combine(path, "rng_state.json")))!;
        Assert.Equal([1, 2, 3, 4], rng.TorchCpuState);
        Assert.Equal(10, TrainerState.Load(Path.Combine(path, "trainer_state.json")).GlobalStep);
    }

    [Fact]
    public void AFailureMidWriteLeavesThePreviousCheckpointAndNoHalfFolder()
    {
        var writer = new CheckpointWriter(_dir);
        writer.Save(5, Contents(5));
        var before = File.ReadAllBytes(Path.Combine(_dir, "checkpoint-5", "adapter_model.safetensors"));

        // the disk fills while the weights of step 10 are half written
        var e = Assert.Throws<IOException>(() => writer.Save(10, Contents(10, s =>
        {
            s.Write(new byte[4096]);
            throw new IOException("No space left on device");
        })));
        Assert.Contains("No space", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "checkpoint-10")));
        Assert.Equal(5, CheckpointLocator.Latest(_dir)!.Step);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_dir, "checkpoint-5", "adapter_model.safetensors")));
        Assert.Equal(["checkpoint-5"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));

        // re-saving the same step after a failure replaces it whole
        Assert.Throws<IOException>(() => writer.Save(5, Contents(5, _ => throw new IOException("disk full"))));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_dir, "checkpoint-5", "adapter_model.safetensors")));
    }

    [Fact]
    public void AKilledProcessLeftoverIsNeverTakenForACheckpoint()
    {
        new CheckpointWriter(_dir).Save(5, Contents(5));
        // what a kill -9 during a save leaves: the hidden temp folder, and (from older tools) a folder without state
        Directory.CreateDirectory(Path.Combine(_dir, ".tmp-checkpoint-10-abc"));
        File.WriteAllText(Path.Combine(_dir, ".tmp-checkpoint-10-abc", "adapter_model.safetensors"), "half");
        Directory.CreateDirectory(Path.Combine(_dir, "checkpoint-15"));
        File.WriteAllText(Path.Combine(_dir, "checkpoint-15", "adapter_model.safetensors"), "half");
        Assert.Equal(5, CheckpointLocator.Latest(_dir)!.Step);
        Assert.Equal(5, CheckpointLocator.Resolve("true", _dir)!.Step);
        new CheckpointWriter(_dir).Save(20, Contents(20));
        Assert.False(Directory.Exists(Path.Combine(_dir, ".tmp-checkpoint-10-abc")));
    }

    [Fact]
    public void ResolveTakesTrueAPathOrNothing()
    {
        var writer = new CheckpointWriter(_dir);
        writer.Save(5, Contents(5));
        writer.Save(10, Contents(10));
        Assert.Null(CheckpointLocator.Resolve(null, _dir));
        Assert.Null(CheckpointLocator.Resolve("false", _dir));
        Assert.Equal(10, CheckpointLocator.Resolve("True", _dir)!.Step);
        Assert.Equal(5, CheckpointLocator.Resolve(Path.Combine(_dir, "checkpoint-5"), _dir)!.Step);
        Assert.Equal(5, CheckpointLocator.Resolve("checkpoint-5", _dir)!.Step);
        var missing = Assert.Throws<TrainingConfigException>(() => CheckpointLocator.Resolve("checkpoint-99", _dir));
        Assert.Contains("resume_from_checkpoint", missing.Message);
        var none = Assert.Throws<TrainingConfigException>(() => CheckpointLocator.Resolve("true", Path.Combine(_dir, "empty")));
        Assert.Contains("no complete checkpoint", none.Message);
    }

    [Fact]
    public void RotateKeepsTheNewest()
    {
        var writer = new CheckpointWriter(_dir);
        foreach (var s in new[] { 5, 10, 15 }) writer.Save(s, Contents(s));
        writer.Rotate(2);
        Assert.Equal([10, 15], CheckpointLocator.List(_dir).Select(c => c.Step));
    }
}
