using System.Globalization;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData("linear", 5e-5, 0, 30)]
    [InlineData("linear", 1e-4, 3, 20)]
    [InlineData("cosine", 1e-4, 0, 25)]
    [InlineData("cosine", 2e-4, 4, 17)]
    [InlineData("constant", 3e-4, 0, 10)]
    [InlineData("constant_with_warmup", 1e-4, 5, 12)]
    [InlineData("linear", 1e-4, 12, 10)] // warmup longer than the run
    public void MatchesHuggingFaceLambdasUnderTorchLambdaLR(string type, double peak, int warmup, int total)
    {
        int count = total + 3; // past the end too: schedules must behave as HF's do there
        var expected = PythonOracle.Run("lr_schedule_oracle.py", type, peak.ToString("R", CultureInfo.InvariantCulture),
            warmup.ToString(), total.ToString(), count.ToString());
        Assert.Equal(count, expected.Length);
        var schedule = new LearningRateSchedule(type, peak, warmup, total);
        for (int step = 0; step < count; step++)
        {
            double want = double.Parse(expected[step], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(want - schedule.LearningRateAt(step)) <= 1e-15 + 1e-12 * Math.Abs(want),
                $"{type} step {step}: expected {want}, got {schedule.LearningRateAt(step)}");
        }
    }

    [Fact]
    public void UnknownTypeNamesTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => new LearningRateSchedule("polynomial", 1e-4, 0, 10));
        Assert.Contains("lr_scheduler_type", e.Message);
    }
}
