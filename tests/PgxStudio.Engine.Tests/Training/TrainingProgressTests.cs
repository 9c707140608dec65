using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class TrainingProgressTests
{
    [Fact]
    public void StepEventsCarryTheSameNumbersAsTheLogLine()
    {
        var entry = new TrainerLogEntry
        {
            CurrentSteps = 10, TotalSteps = 40, Loss = 1.25, LearningRate = 3e-5, Epoch = 0.5, ElapsedSeconds = 20,
            TotalTokens = 5000,
        };
        var p = TrainingProgress.FromLog(entry);
        Assert.Equal(TrainingProgressKind.Step, p.Kind);
        Assert.Equal((10, 40, 1.25, 3e-5, 0.5), (p.Step, p.TotalSteps, p.Loss!.Value, p.LearningRate!.Value, p.Epoch!.Value));
        Assert.Equal(60, p.RemainingSeconds);
        Assert.Equal(250, p.TokensPerSecond);

        var eval = TrainingProgress.FromLog(new TrainerLogEntry { CurrentSteps = 10, TotalSteps = 40, EvalLoss = 1.5, ElapsedSeconds = 21 });
        Assert.Equal(TrainingProgressKind.Eval, eval.Kind);
    }

    [Fact]
    public void ObserversFanOut()
    {
        var a = new List<TrainingProgress>();
        var b = new List<TrainingProgress>();
        var all = TrainingObservers.All(TrainingObservers.From(a.Add), TrainingObservers.From(b.Add), TrainingObservers.None);
        all.OnProgress(new TrainingProgress { Kind = TrainingProgressKind.Started, TotalSteps = 3 });
        Assert.Single(a);
        Assert.Single(b);
    }

    [Fact]
    public void ClockOfAResumedRunEstimatesFromThisSessionsSteps()
    {
        var clock = new TrainingClock(startStep: 90, tokensBefore: 1_000_000);
        clock.AddTokens(500);
        Thread.Sleep(50);
        var e = clock.Entry(step: 95, totalSteps: 100, loss: 1.0, learningRate: 1e-5, epoch: 2.9);
        // 5 steps in this session, 5 left: remaining ≈ elapsed (not elapsed/95*5 as if all 95 steps were this fast)
        Assert.InRange(e.RemainingSeconds, e.ElapsedSeconds * 0.99, e.ElapsedSeconds * 1.01);
        Assert.Equal(1_000_500, e.TotalTokens);
        Assert.True(e.Throughput < 500 / 0.05 + 1, "throughput counts this session's tokens only");
    }
}
