namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// Python's math.fsum (Shewchuk's exactly-rounded sum). NLTK sums the weighted log precisions with it, and a
/// plain left-to-right sum can differ in the last bit, which is enough to flip a 4-decimal rounding now and then.
/// </summary>
internal static class ExactSum
{
    public static double Of(IEnumerable<double> values)
    {
        var partials = new List<double>();
        foreach (var value in values)
        {
            double x = value;
            int i = 0;
            for (int k = 0; k < partials.Count; k++)
            {
                double y = partials[k];
                if (Math.Abs(x) < Math.Abs(y)) (x, y) = (y, x);
                double hi = x + y;
                double lo = y - (hi - x);
                if (lo != 0.0) partials[i++] = lo;
                x = hi;
            }
            partials.RemoveRange(i, partials.Count - i);
            partials.Add(x);
        }
        // Round the partials to one double the way fsum does (including its half-way correction).
        int n = partials.Count;
        if (n == 0) return 0.0;
        double hiSum = partials[--n], loSum = 0;
        while (n > 0)
        {
            double x = hiSum, y = partials[--n];
            hiSum = x + y;
            double yr = hiSum - x;
            loSum = y - yr;
            if (loSum != 0.0) break;
        }
        if (n > 0 && ((loSum < 0 && partials[n - 1] < 0) || (loSum > 0 && partials[n - 1] > 0)))
        {
            double y = loSum * 2;
            double x = hiSum + y;
            double yr = x - hiSum;
            if (y == yr) hiSum = x;
        }
        return hiSum;
    }
}
