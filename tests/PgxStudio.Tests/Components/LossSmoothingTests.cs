using System.Diagnostics;
using System.Globalization;
using PgxStudio.Runs;

namespace PgxStudio.Tests.Components;

public class LossSmoothingTests
{
    /// <summary>LLaMA-Factory's extras/ploting.py smooth(), run by Python as the oracle.</summary>
    const string Oracle = """
        import math, sys
        scalars = [float(x) for x in sys.argv[1:]]
        last = scalars[0]
        weight = 1.8 * (1 / (1 + math.exp(-0.05 * len(scalars))) - 0.5)
        out = []
        for v in scalars:
            last = last * weight + (1 - weight) * v
            out.append(last)
        print(" ".join(repr(x) for x in out))
        """;

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(400)]
    public void The_smoothed_curve_matches_LLaMA_Factory(int count)
    {
        var random = new Random(count);
        var losses = Enumerable.Range(0, count).Select(i => 3.0 * Math.Exp(-i / 50.0) + random.NextDouble() * 0.3).ToList();
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, ArgumentList = { "-c", Oracle } };
        foreach (var l in losses) info.ArgumentList.Add(l.ToString("R", CultureInfo.InvariantCulture));
        using var python = Process.Start(info)!;
        var expected = python.StandardOutput.ReadToEnd().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
        python.WaitForExit();

        var actual = LossSmoothing.Smooth(losses);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < count; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}
