namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// BLEU-4 exactly as LLaMA-Factory reports it: NLTK's <c>sentence_bleu([list(label)], list(predict),
/// smoothing_function=SmoothingFunction().method3)</c> on characters (Unicode code points, as Python's list(str)).
/// </summary>
public static class CharacterBleu
{
    /// <summary>Sentence BLEU in [0, 1] (not yet ×100 or rounded).</summary>
    public static double Sentence(string predict, string label)
    {
        int[] hyp = CodePoints.Of(predict), reference = CodePoints.Of(label);
        var numerators = new long[4];
        var denominators = new long[4];
        for (int n = 1; n <= 4; n++)
        {
            var refCounts = Count(reference, n);
            var hypCounts = Count(hyp, n);
            long clipped = 0, total = 0;
            foreach (var (gram, count) in hypCounts)
            {
                total += count;
                clipped += Math.Min(count, refCounts.GetValueOrDefault(gram));
            }
            numerators[n - 1] = clipped;
            denominators[n - 1] = Math.Max(1, total); // NLTK keeps the unnormalised fraction: method3 reads this denominator
        }
        if (numerators[0] == 0) return 0; // NLTK: no unigram matches at all scores 0 whatever the smoothing

        double c = hyp.Length, r = reference.Length;
        double brevity = c > r ? 1 : c == 0 ? 0 : Math.Exp(1 - r / c);

        var terms = new double[4];
        int zeroSeen = 1;
        for (int i = 0; i < 4; i++)
        {
            double p = numerators[i] == 0
                ? 1.0 / (Math.Pow(2, zeroSeen++) * denominators[i]) // method3: the k-th empty precision becomes 1/(2^k·den)
                : (double)numerators[i] / denominators[i];
            terms[i] = 0.25 * Math.Log(p);
        }
        return brevity * Math.Exp(ExactSum.Of(terms));
    }

    static Dictionary<NGram, int> Count(int[] tokens, int n)
    {
        var counts = new Dictionary<NGram, int>();
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            var gram = new NGram(tokens, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }

    readonly struct NGram(int[] tokens, int start, int length) : IEquatable<NGram>
    {
        public bool Equals(NGram other) =>
            length == other.Length && tokens.AsSpan(start, length).SequenceEqual(other.Span);
        int Length => length;
        ReadOnlySpan<int> Span => tokens.AsSpan(start, length);
        public override bool Equals(object? obj) => obj is NGram g && Equals(g);
        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var t in tokens.AsSpan(start, length)) h.Add(t);
            return h.ToHashCode();
        }
    }
}
