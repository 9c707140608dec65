using System.Globalization;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class TrainingPlanTests
{
    [Theory]
    [InlineData(10, 3, 2, 3.0, -1)]
    [InlineData(10, 3, 2, 2.5, -1)]
    [InlineData(10, 3, 2, 3.0, 7)]
    [InlineData(91, 1, 1, 3.0, -1)]
    [InlineData(91, 4, 8, 1.0, -1)]
    [InlineData(5, 8, 4, 3.0, -1)]   // fewer samples than one batch: still one update per epoch
    [InlineData(1000, 2, 4, 0.3, -1)]
    [InlineData(1000, 2, 4, 3.0, 50)]
    public void MatchesTheTrainerLoopOverARealDataLoader(int samples, int batch, int accum, double epochs, int maxSteps)
    {
        var lines = PythonOracle.Run("step_plan_oracle.py", samples.ToString(), batch.ToString(), accum.ToString(),
            epochs.ToString("R", CultureInfo.InvariantCulture), maxSteps.ToString());
        var o = lines[0].Split(' ').Select(int.Parse).ToArray();
        var epochAfter = lines[1].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var plan = TrainingPlan.Compute(samples, batch, accum, epochs, maxSteps);
        Assert.Equal(o[0], plan.BatchesPerEpoch);
        Assert.Equal(o[1], plan.UpdatesPerEpoch);
        Assert.Equal(o[2], plan.TotalSteps);
        Assert.Equal(o[3], plan.Epochs);
        Assert.Equal(batch * accum, plan.TotalBatchSize);
        Assert.Equal(plan.TotalSteps, epochAfter.Length);
        for (int step = 1; step <= plan.TotalSteps; step++)
            Assert.Equal(epochAfter[step - 1], plan.EpochAt(step), 12);
    }

    [Theory]
    [InlineData(100, 0.1, 0, 10)]
    [InlineData(95, 0.1, 0, 10)]   // ceil(9.5)
    [InlineData(100, 0.0, 0, 0)]
    [InlineData(100, 0.5, 7, 7)]   // warmup_steps wins over warmup_ratio
    public void WarmupIsCeilOfRatioUnlessStepsAreGiven(int total, double ratio, int steps, int expected)
    {
        var plan = TrainingPlan.Compute(total, 1, 1, 1, -1, ratio, steps);
        Assert.Equal(total, plan.TotalSteps);
        Assert.Equal(expected, plan.WarmupSteps);
    }

    [Fact]
    public void EmptyTrainingSetIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingPlan.Compute(0, 1, 1, 3, -1));
        Assert.Contains("empty", e.Message);
    }
}
