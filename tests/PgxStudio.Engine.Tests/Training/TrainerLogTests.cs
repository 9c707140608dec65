using System.Globalization;
using System.Text.Json;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class TrainerLogTests
{
    static string D(double? d) => d?.ToString("R", CultureInfo.InvariantCulture) ?? "-";

    [Theory]
    [InlineData(5, 100, 2.3456, null, 4.5e-05, 0.15, 12.7, 6400L)]
    [InlineData(1, 3, 1.0, null, 5e-05, 1.0, 0.4, null)]
    [InlineData(30, 30, 0.8123, 0.9, 0.0, 3.0, 3725.9, 123456L)]
    [InlineData(2, 3, null, 1.25, null, 0.67, 100000.0, null)]  // more than a day left: "1 day, …"
    [InlineData(7, 9, 1.5, null, 1e-05, 2.33, 59.999, 17L)]
    public void LineMatchesLlamaFactoryLogCallback(int cur, int total, double? loss, double? evalLoss, double? lr,
        double epoch, double elapsed, long? tokens)
    {
        var expected = PythonOracle.Run("trainer_log_oracle.py", cur.ToString(), total.ToString(), D(loss), D(evalLoss), D(lr),
            D(epoch), D(elapsed), tokens?.ToString() ?? "-")[0];
        var entry = new TrainerLogEntry
        {
            CurrentSteps = cur, TotalSteps = total, Loss = loss, EvalLoss = evalLoss, LearningRate = lr, Epoch = epoch,
            ElapsedSeconds = elapsed, TotalTokens = tokens,
        };
        Assert.Equal(expected, entry.ToJsonLine());
    }

    [Theory]
    [InlineData(0, "0:00:00")]
    [InlineData(59.9, "0:00:59")]
    [InlineData(3725, "1:02:05")]
    [InlineData(86400 + 3 * 3600 + 4, "1 day, 3:00:04")]
    [InlineData(2 * 86400, "2 days, 0:00:00")]
    public void DurationsPrintLikePythonTimedelta(double seconds, string text) =>
        Assert.Equal(text, Duration.Format(seconds));

    [Fact]
    public void WriterAppendsFlushedLinesAndStartsAfreshUnlessResuming()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-log-").FullName;
        try
        {
            using (var w = new TrainerLogWriter(dir, append: false))
            {
                w.Write(new TrainerLogEntry { CurrentSteps = 1, TotalSteps = 2, Loss = 1.5, ElapsedSeconds = 1 });
                // flushed: a reader sees the line while the writer is still open
                using var reader = new StreamReader(new FileStream(w.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                Assert.Contains("\"current_steps\": 1", reader.ReadToEnd());
            }
            using (var w = new TrainerLogWriter(dir, append: true))
                w.Write(new TrainerLogEntry { CurrentSteps = 2, TotalSteps = 2, Loss = 1.2, ElapsedSeconds = 2 });
            var lines = File.ReadAllLines(Path.Combine(dir, "trainer_log.jsonl"));
            Assert.Equal(2, lines.Length);
            Assert.Equal(2, JsonDocument.Parse(lines[1]).RootElement.GetProperty("current_steps").GetInt32());
            using (new TrainerLogWriter(dir, append: false)) { }
            Assert.Empty(File.ReadAllLines(Path.Combine(dir, "trainer_log.jsonl")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TrainerStateAndResultsUseHuggingFaceNames()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-state-").FullName;
        try
        {
            var args = new TrainingArguments { LoggingSteps = 2, SaveSteps = 4, PerDeviceTrainBatchSize = 2 };
            var plan = TrainingPlan.Compute(10, 2, 1, 2, -1);
            var state = TrainerState.Start(args, plan);
            state.LogTraining(step: 2, epoch: 0.4, loss: 2.123456, learningRate: 4e-5, gradNorm: 1.5);
            state.LogEvaluation(step: 2, epoch: 0.4, evalLoss: 2.5);
            state.GlobalStep = 2;
            state.Save(dir);
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "trainer_state.json"))).RootElement;
            Assert.Equal(10, json.GetProperty("max_steps").GetInt32());
            Assert.Equal(2, json.GetProperty("num_train_epochs").GetInt32());
            Assert.Equal(2, json.GetProperty("global_step").GetInt32());
            Assert.Equal(2, json.GetProperty("train_batch_size").GetInt32());
            var first = json.GetProperty("log_history")[0];
            Assert.Equal(2.1235, first.GetProperty("loss").GetDouble());
            Assert.Equal(4e-5, first.GetProperty("learning_rate").GetDouble());
            Assert.Equal(2, first.GetProperty("step").GetDouble());
            var names = json.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(names.Order(StringComparer.Ordinal), names); // sort_keys=True as HF writes it
            var back = TrainerState.Load(Path.Combine(dir, "trainer_state.json"));
            Assert.Equal([(2, 2.1235)], back.LossHistory());
            Assert.Equal([(2, 2.5)], back.LossHistory("eval_loss"));

            File.WriteAllText(Path.Combine(dir, "all_results.json"), "{\"eval_loss\": 2.5}");
            new TrainResults(TrainLoss: 1.75, TrainRuntimeSeconds: 12.345678, Samples: 10, Steps: 10, Epoch: 2.0).Save(dir);
            var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train_results.json"))).RootElement;
            Assert.Equal(12.3457, results.GetProperty("train_runtime").GetDouble());
            Assert.Equal(0.81, results.GetProperty("train_samples_per_second").GetDouble());
            Assert.Equal(1.75, results.GetProperty("train_loss").GetDouble());
            var all = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "all_results.json"))).RootElement;
            Assert.Equal(2.5, all.GetProperty("eval_loss").GetDouble());
            Assert.Equal(1.75, all.GetProperty("train_loss").GetDouble());
        }
        finally { Directory.Delete(dir, true); }
    }
}
