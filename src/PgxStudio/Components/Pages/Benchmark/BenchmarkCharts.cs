using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using PgxStudio.Benchmarks;
using PgxStudio.Persistence;

namespace PgxStudio.Components.Pages.Benchmark;

/// <summary>The Plotly traces of the benchmark page's charts, from stored results (latencies in milliseconds).</summary>
public static class BenchmarkCharts
{
    /// <summary>One histogram per level, overlaid, of a per-request sample (TTFT or TPOT).</summary>
    public static IList<ITrace> Distribution(IReadOnlyList<BenchmarkResult> levels, Func<BenchmarkSamples, IReadOnlyList<double>> sample) =>
        levels.Select(r => (ITrace)new Histogram
        {
            Name = $"parallel {r.Parallel}",
            X = sample(BenchmarkSamples.Parse(r.SamplesJson)).Select(s => (object)(s * 1000)).ToList(),
            Opacity = levels.Count > 1 ? 0.6m : 1m,
        }).ToList();

    /// <summary>Output tokens/s (left axis) and requests/s (right axis) against the parallel level of a sweep.</summary>
    public static IList<ITrace> Throughput(IReadOnlyList<BenchmarkResult> levels)
    {
        var ordered = levels.OrderBy(r => r.Parallel).ToList();
        return
        [
            new Scatter
            {
                Name = "output tok/s", Mode = ModeFlag.Lines | ModeFlag.Markers,
                X = ordered.Select(r => (object)r.Parallel).ToList(), Y = ordered.Select(r => (object)r.OutputTokenThroughput).ToList(),
            },
            new Scatter
            {
                // dashed: with a steady reply length the two lines coincide on their own axes
                Name = "req/s", Mode = ModeFlag.Lines | ModeFlag.Markers, YAxis = "y2", Line = new Line { Dash = "dash" },
                X = ordered.Select(r => (object)r.Parallel).ToList(), Y = ordered.Select(r => (object)r.RequestThroughput).ToList(),
            },
        ];
    }
}
