using System.Globalization;
using System.Text;

namespace PgxStudio.Serving;

/// <summary>A Prometheus histogram: cumulative bucket counts, sum and count, safe to observe from any thread.</summary>
public sealed class MetricHistogram(params double[] bounds)
{
    readonly long[] _counts = new long[bounds.Length + 1];
    readonly object _gate = new();
    double _sum;
    long _count;

    public long Count { get { lock (_gate) return _count; } }

    public void Observe(double value)
    {
        lock (_gate)
        {
            int i = 0;
            while (i < bounds.Length && value > bounds[i]) i++;
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    public void Write(StringBuilder text, string name, string labels)
    {
        lock (_gate)
        {
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(name).Append("_bucket{").Append(labels).Append(",le=\"").Append(Number(bounds[i])).Append("\"} ").Append(cumulative).Append('\n');
            }
            text.Append(name).Append("_bucket{").Append(labels).Append(",le=\"+Inf\"} ").Append(_count).Append('\n');
            text.Append(name).Append("_sum{").Append(labels).Append("} ").Append(Number(_sum)).Append('\n');
            text.Append(name).Append("_count{").Append(labels).Append("} ").Append(_count).Append('\n');
        }
    }

    public static string Number(double value) => value.ToString("0.0###############", CultureInfo.InvariantCulture);
}
