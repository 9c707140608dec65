namespace PgxStudio.Engine.Tests.Export;

/// <summary>Perplexity from raw logits, computed here independently of the engine's loss code.</summary>
static class Nll
{
    /// <summary>Sum of -log p(ids[i+1] | ids[..i]) over a sequence, in double precision.</summary>
    public static double Sum(float[][] logits, IReadOnlyList<int> ids)
    {
        double total = 0;
        for (int i = 0; i + 1 < ids.Count; i++)
        {
            var row = logits[i];
            double max = row.Max(), sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            total += Math.Log(sum) + max - row[ids[i + 1]];
        }
        return total;
    }

    /// <summary>Token-weighted perplexity over sequences.</summary>
    public static double Perplexity(IEnumerable<(float[][] Logits, IReadOnlyList<int> Ids)> sequences)
    {
        double total = 0;
        long count = 0;
        foreach (var (logits, ids) in sequences)
        {
            total += Sum(logits, ids);
            count += ids.Count - 1;
        }
        return Math.Exp(total / count);
    }
}
