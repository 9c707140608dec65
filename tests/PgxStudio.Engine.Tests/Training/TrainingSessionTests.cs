using System.Text;
using System.Text.Json;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

/// <summary>The session driven by a loop shaped like the Trainer's, with made-up losses standing in for the model.</summary>
public sealed class TrainingSessionTests : IDisposable
{
    readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("pgx-session-").FullName, "run");
    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, true);

    TrainingArguments Args(string? resume = null) => new()
    {
        ModelNameOrPath = "m", Dataset = "d", OutputDir = _dir, LoggingSteps = 2, SaveSteps = 4, PlotLoss = true,
        PerDeviceTrainBatchSize = 2, GradientAccumulationSteps = 2, NumTrainEpochs = 2, LearningRate = 1e-4,
        LrSchedulerType = "cosine", WarmupRatio = 0.1, ResumeFromCheckpoint = resume,
    };

    static int Loop(TrainingSession s, int stopAfter, List<double> lrs)
    {
        int step = s.StartStep;
        while (step < s.Plan.TotalSteps && step < stopAfter)
        {
            step++;
            lrs.Add(s.LearningRateFor(step));
            s.RecordStep(step, loss: 3.0 / step, tokens: 100);
            if (s.ShouldSave(step))
                s.SaveCheckpoint(step, new RngState(42, 0, step),
                    new Dictionary<string, Action<Stream>> { ["adapter_model.safetensors"] = st => st.Write(Encoding.ASCII.GetBytes($"w{step}")) });
        }
        return step;
    }

    [Fact]
    public void AFullRunWritesLlamaFactoryOutputsAndEvents()
    {
        var events = new List<TrainingProgress>();
        var lrs = new List<double>();
        using (var s = TrainingSession.Begin(Args(), trainSamples: 40, TrainingObservers.From(events.Add)))
        {
            Assert.Equal(20, s.Plan.TotalSteps); // 40 samples / 2 per batch / 2 accumulation × 2 epochs
            Assert.Equal(2, s.Plan.WarmupSteps);
            Loop(s, int.MaxValue, lrs);
            var results = s.Finish();
            Assert.Equal(Enumerable.Range(1, 20).Average(i => 3.0 / i), results.TrainLoss, 12);
        }
        var schedule = new LearningRateSchedule("cosine", 1e-4, 2, 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(schedule.LearningRateAt), lrs);

        var log = File.ReadAllLines(Path.Combine(_dir, "trainer_log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(10, log.Length);
        Assert.Equal(2, log[0].GetProperty("current_steps").GetInt32());
        Assert.Equal(Math.Round((3.0 + 1.5) / 2, 4), log[0].GetProperty("loss").GetDouble()); // mean since last log
        Assert.Equal(schedule.LearningRateAt(2), log[0].GetProperty("lr").GetDouble());
        Assert.Equal(100.0, log[^1].GetProperty("percentage").GetDouble());
        Assert.Equal(2000, log[^1].GetProperty("total_tokens").GetInt64());

        foreach (var f in new[] { "trainer_state.json", "train_results.json", "all_results.json", "training_loss.png", "training_args.yaml" })
            Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        Assert.Equal([4, 8, 12, 16, 20], CheckpointLocator.List(_dir).Select(c => c.Step));
        var state = TrainerState.Load(Path.Combine(_dir, "trainer_state.json"));
        Assert.Equal(20, state.GlobalStep);
        Assert.Equal(2.0, state.Epoch);
        Assert.True(state.LogHistory[^1].ContainsKey("train_runtime"));

        Assert.Equal(TrainingProgressKind.Started, events[0].Kind);
        Assert.Equal(10, events.Count(e => e.Kind == TrainingProgressKind.Step));
        Assert.Equal(5, events.Count(e => e.Kind == TrainingProgressKind.Checkpoint));
        Assert.Equal(TrainingProgressKind.Finished, events[^1].Kind);
    }

    [Fact]
    public void AnInterruptedRunResumesFromItsLastCheckpointAndKeepsItsLog()
    {
        var lrs = new List<double>();
        using (var s = TrainingSession.Begin(Args(), 40))
            Loop(s, stopAfter: 10, lrs); // killed after step 10: last checkpoint is 8

        Assert.Throws<TrainingConfigException>(() => TrainingSession.Begin(Args(), 40).Dispose());

        using (var s = TrainingSession.Begin(Args(resume: "true"), 40))
        {
            Assert.Equal(8, s.StartStep);
            Assert.True(s.Output.Resuming);
            Loop(s, int.MaxValue, lrs);
            s.Finish();
        }
        var log = File.ReadAllLines(Path.Combine(_dir, "trainer_log.jsonl"));
        // steps 2..8 from the first session (10 was redone after the checkpoint), then 10..20 from the resumed one
        Assert.Equal([2, 4, 6, 8, 10, 12, 14, 16, 18, 20],
            log.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("current_steps").GetInt32()));
        var schedule = new LearningRateSchedule("cosine", 1e-4, 2, 20);
        Assert.Equal(Enumerable.Range(8, 12).Select(schedule.LearningRateAt), lrs.Skip(10));
        Assert.Equal(20, TrainerState.Load(Path.Combine(_dir, "trainer_state.json")).GlobalStep);
    }

    [Fact]
    public void ResumingWithADifferentPlanIsRefused()
    {
        using (var s = TrainingSession.Begin(Args(), 40)) Loop(s, stopAfter: 4, []);
        var e = Assert.Throws<TrainingConfigException>(() => TrainingSession.Begin(Args(resume: "true"), 80).Dispose());
        Assert.Contains("same dataset", e.Message);
    }
}
