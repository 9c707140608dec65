using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// ROUGE-1/2/L F-scores with the semantics of the <c>rouge_chinese</c> package LLaMA-Factory calls on
/// space-joined jieba words: sentences are cut after 。！？? (not before a closing quote), after "......" and "……",
/// and at newlines; each sentence's white space is collapsed and words are split on single spaces. ROUGE-N
/// counts *sets* of n-grams; ROUGE-L is the summary-level union LCS, with word positions in the reference
/// sentence kept in the union and the lengths being counts of distinct words.
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

    static double RougeL(List<string> hyp, List<string> refs)
    {
        int m = Words(refs).Distinct(StringComparer.Ordinal).Count();
        int n = Words(hyp).Distinct(StringComparer.Ordinal).Count();
        var union = new HashSet<(string, int)>();
        int lcsUnion = 0;
        foreach (var refSentence in refs)
        {
            int before = union.Count;
            var refWords = refSentence.Split(' ');
            foreach (var hypSentence in hyp)
                union.UnionWith(LcsTokens(refWords, hypSentence.Split(' ')));
            lcsUnion += union.Count - before;
        }
        return F(lcsUnion, n, m);
    }

    /// <summary>One LCS of x in y, as (word, 1-based position in x), walking back as the reference code does.</summary>
    static List<(string, int)> LcsTokens(string[] x, string[] y)
    {
        int[,] table = new int[x.Length + 1, y.Length + 1];
        for (int i = 1; i <= x.Length; i++)
            for (int j = 1; j <= y.Length; j++)
                table[i, j] = x[i - 1] == y[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
        var result = new List<(string, int)>();
        int a = x.Length, b = y.Length;
        while (a > 0 && b > 0)
        {
            if (x[a - 1] == y[b - 1]) { result.Add((x[a - 1], a)); a--; b--; }
            else if (table[a - 1, b] > table[a, b - 1]) a--;
            else b--;
        }
        result.Reverse();
        return result;
    }
}
