using System.Globalization;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class LossPlotTests
{
    [Fact]
    public void SmoothingMatchesLlamaFactory()
    {
        double[] losses = [2.9, 2.7, 2.75, 2.4, 2.2, 2.3, 1.9, 1.85, 1.7, 1.72, 1.6, 1.55];
        var expected = PythonOracle.Run("smooth_oracle.py", losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture)).ToArray())
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var got = LossPlot.Smooth(losses);
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 12);
    }

    [Fact]
    public void RendersAPngHeadless()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-plot-").FullName;
        try
        {
            var state = new TrainerState();
            var rng = new Random(3);
            for (int step = 5; step <= 300; step += 5)
                state.LogTraining(step, step / 100.0, 2.5 * Math.Exp(-step / 120.0) + 0.6 + rng.NextDouble() * 0.3, 1e-4);
            Assert.True(LossPlot.Save(state, dir));
            var png = File.ReadAllBytes(Path.Combine(dir, "training_loss.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            // IHDR width and height (big-endian) at bytes 16..23
            Assert.Equal(640, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
            Assert.Equal(480, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
            Assert.True(png.Length > 10_000, "a drawn plot, not a blank image");
            var keep = Environment.GetEnvironmentVariable("PGX_KEEP_PLOT");
            if (!string.IsNullOrEmpty(keep)) File.Copy(Path.Combine(dir, "training_loss.png"), keep, true);

            Assert.False(LossPlot.Save(new TrainerState(), dir + "/none"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
