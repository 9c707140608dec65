namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// float(np.mean(scores)) as LLaMA-Factory takes it: numpy's pairwise sum (8 accumulators, 128-element blocks)
/// divided by the count. A plain running sum can differ in the last bits of predict_results.json.
/// </summary>
internal static class NumpyMean
{
    public static double Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        return PairwiseSum(values.ToArray()) / values.Count;
    }

    static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = -0.0; // numpy starts from -0.0 so an all -0.0 sum keeps its sign
            foreach (var v in a) res += v;
            return res;
        }
        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            for (int j = 0; j < 8; j++) r[j] = a[j];
            int i;
            for (i = 8; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }
}
