using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// ROUGE-1/2/L F-scores with the semantics of the <c>rouge_chinese</c> package LLaMA-Factory calls on
/// space-joined jieba words: sentences are cut after 。！？? (not before a closing quote), after "......" and "……",
/// and at newlines; each sentence's white space is collapsed and words are split on single spaces. ROUGE-N
/// counts *sets* of n-grams; ROUGE-L is the LCS of the two whole word lists over their total lengths (what the
/// package's rouge_l_summary_level really computes, not the union-LCS its docstring and the issue describe).
/// </summary>
public static partial class ChineseRouge
{
    public readonly record struct Scores(double Rouge1, double Rouge2, double RougeL);

    [GeneratedRegex("([。！？?])([^”’])")] private static partial Regex StopThenText();
    [GeneratedRegex("(\\.{6})([^”’])")] private static partial Regex DotsThenText();
    [GeneratedRegex("(…{2})([^”’])")] private static partial Regex EllipsisThenText();
    [GeneratedRegex("([。！？?][”’])([^，。！？?])")] private static partial Regex QuotedStopThenText();

    /// <summary>F-scores in [0, 1] of space-separated hypothesis words against reference words (both non-empty).</summary>
    public static Scores Score(string hypothesis, string reference)
    {
        var hyp = Sentences(hypothesis);
        var refs = Sentences(reference);
        return new Scores(RougeN(hyp, refs, 1), RougeN(hyp, refs, 2), RougeL(hyp, refs));
    }

    /// <summary>The sentences of a text, each with its white space collapsed to single spaces.</summary>
    internal static List<string> Sentences(string text)
    {
        text = StopThenText().Replace(text, "$1\n$2");
        text = DotsThenText().Replace(text, "$1\n$2");
        text = EllipsisThenText().Replace(text, "$1\n$2");
        text = QuotedStopThenText().Replace(text, "$1\n$2");
        text = RStrip(text);
        return text.Split('\n').Where(s => s.Length > 0).Select(s => string.Join(' ', CodePoints.SplitOnSpace(s))).ToList();
    }

    static string RStrip(string text)
    {
        int end = text.Length;
        while (end > 0)
        {
            var last = char.IsLowSurrogate(text[end - 1]) && end > 1 ? System.Text.Rune.GetRuneAt(text, end - 2) : new System.Text.Rune(text[end - 1]);
            if (!CodePoints.IsPythonSpace(last)) break;
            end -= last.Utf16SequenceLength;
        }
        return text[..end];
    }

    static List<string> Words(IEnumerable<string> sentences) => sentences.SelectMany(s => s.Split(' ')).ToList();

    static HashSet<string> NGrams(List<string> words, int n)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Count; i++) set.Add(string.Join('\u0001', words.GetRange(i, n)));
        return set;
    }

    static double F(double overlap, double hypCount, double refCount)
    {
        double p = hypCount == 0 ? 0 : overlap / hypCount;
        double r = refCount == 0 ? 0 : overlap / refCount;
        return 2.0 * (p * r / (p + r + 1e-8));
    }

    static double RougeN(List<string> hyp, List<string> refs, int n)
    {
        var h = NGrams(Words(hyp), n);
        var r = NGrams(Words(refs), n);
        int overlap = h.Count(r.Contains);
        return F(overlap, h.Count, r.Count);
    }

    // rouge_chinese's rouge_l_summary_level is not the union-LCS its docstring describes: it takes one LCS of the
    // whole word lists (all sentences concatenated), over the total word counts.
    static double RougeL(List<string> hyp, List<string> refs)
    {
        var x = Words(refs);
        var y = Words(hyp);
        return F(LcsLength(x, y), y.Count, x.Count);
    }

    static int LcsLength(List<string> x, List<string> y)
    {
        var previous = new int[y.Count + 1];
        var current = new int[y.Count + 1];
        for (int i = 1; i <= x.Count; i++)
        {
            for (int j = 1; j <= y.Count; j++)
                current[j] = x[i - 1] == y[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[y.Count];
    }
}
