using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// <c>jieba.cut(text)</c> (accurate mode, HMM on) over jieba's own data: runs of CJK/letters/digits/+#&amp;._%-
/// are cut along the maximum-probability route through the prefix-dictionary DAG, and runs of characters the
/// dictionary does not join are handed to the HMM; every other character is its own word ("\r\n" stays whole).
/// </summary>
public sealed partial class JiebaSegmenter(JiebaData data) : IWordSegmenter
{
    public string Description => $"jieba ({data.Folder})";

    [GeneratedRegex("([\u4E00-\u9FD5a-zA-Z0-9+#&._%\\-]+)")]
    private static partial Regex Block();

    [GeneratedRegex("([\u4E00-\u9FD5]+)")]
    private static partial Regex HanRun();

    [GeneratedRegex("([a-zA-Z0-9]+(?:\\.[0-9]+)?%?)")]
    private static partial Regex LatinRun();

    public IEnumerable<string> Cut(string text)
    {
        foreach (var block in Block().Split(text))
        {
            if (block.Length == 0) continue;
            if (Block().IsMatch(block) && Block().Match(block).Index == 0)
            {
                foreach (var word in CutBlock(block)) yield return word;
                continue;
            }
            // Outside blocks jieba yields each character alone, keeping "\r\n" as one piece.
            for (int i = 0; i < block.Length;)
            {
                int width = block[i] == '\r' && i + 1 < block.Length && block[i + 1] == '\n' ? 2
                    : char.IsSurrogatePair(block, i) ? 2 : 1;
                yield return block.Substring(i, width);
                i += width;
            }
        }
    }

    int Frequency(ReadOnlySpan<char> word) => data.FrequencyLookup.TryGetValue(word, out var f) ? f : -1;

    IEnumerable<string> CutBlock(string sentence)
    {
        int n = sentence.Length; // blocks hold BMP characters only, so chars are Python characters here
        var route = BestRoute(sentence);
        int x = 0, bufStart = -1;
        while (x < n)
        {
            int y = route[x] + 1;
            if (y - x == 1)
            {
                if (bufStart < 0) bufStart = x;
            }
            else
            {
                if (bufStart >= 0)
                {
                    foreach (var w in FlushSingles(sentence.Substring(bufStart, x - bufStart))) yield return w;
                    bufStart = -1;
                }
                yield return sentence.Substring(x, y - x);
            }
            x = y;
        }
        if (bufStart >= 0)
            foreach (var w in FlushSingles(sentence[bufStart..])) yield return w;
    }

    // A run of characters the route left single: a known word stays split into characters (jieba's choice),
    // an unknown run goes to the HMM, which may join characters into new words.
    IEnumerable<string> FlushSingles(string buf)
    {
        if (buf.Length == 1) return [buf];
        if (Frequency(buf) > 0) return buf.Select(c => c.ToString());
        return CutUnknown(buf);
    }

    /// <summary>route[i] = end index (inclusive) of the word starting at i on the most probable path.</summary>
    int[] BestRoute(string s)
    {
        int n = s.Length;
        var score = new double[n + 1];
        var end = new int[n];
        var ends = new List<int>();
        for (int idx = n - 1; idx >= 0; idx--)
        {
            ends.Clear();
            for (int i = idx; i < n; i++)
            {
                int f = Frequency(s.AsSpan(idx, i - idx + 1));
                if (f < 0) break;
                if (f > 0) ends.Add(i);
            }
            if (ends.Count == 0) ends.Add(idx);
            double best = double.NegativeInfinity;
            int bestEnd = -1;
            foreach (var x in ends)
            {
                int f = Frequency(s.AsSpan(idx, x - idx + 1));
                double candidate = Math.Log(f > 0 ? f : 1) - data.LogTotal + score[x + 1];
                if (candidate > best || (candidate == best && x > bestEnd)) { best = candidate; bestEnd = x; }
            }
            score[idx] = best;
            end[idx] = bestEnd;
        }
        return end;
    }

    // jieba.finalseg.cut: CJK runs through the Viterbi decoder, letter/number runs as they are.
    IEnumerable<string> CutUnknown(string text)
    {
        foreach (var block in HanRun().Split(text))
        {
            if (block.Length == 0) continue;
            if (HanRun().Match(block) is { Success: true, Index: 0 })
            {
                foreach (var w in Viterbi(block)) yield return w;
                continue;
            }
            foreach (var piece in LatinRun().Split(block))
                if (piece.Length > 0) yield return piece;
        }
    }

    static readonly int[][] Previous = [[2, 3], [1, 0], [0, 1], [3, 2]]; // B←E,S  M←M,B  E←B,M  S←S,E (finalseg's order)

    IEnumerable<string> Viterbi(string obs)
    {
        var hmm = data.Hmm;
        int n = obs.Length;
        var v = new double[n, 4];
        var back = new int[n, 4];
        for (int s = 0; s < 4; s++)
            v[0, s] = hmm.Start[s] + Emit(s, obs[0]);
        for (int t = 1; t < n; t++)
            for (int s = 0; s < 4; s++)
            {
                double em = Emit(s, obs[t]);
                double best = double.NegativeInfinity;
                int bestState = -1;
                foreach (var p in Previous[s])
                {
                    double candidate = v[t - 1, p] + hmm.Transition[p, s] + em;
                    // Python's max over (prob, state) tuples: ties go to the later letter.
                    if (bestState < 0 || candidate > best || (candidate == best && HmmTables.States[p] > HmmTables.States[bestState]))
                    { best = candidate; bestState = p; }
                }
                v[t, s] = best;
                back[t, s] = bestState;
            }
        // Last state is E or S, ties to S.
        int state = v[n - 1, 3] >= v[n - 1, 2] ? 3 : 2;
        var tags = new char[n];
        for (int t = n - 1; t >= 0; t--)
        {
            tags[t] = HmmTables.States[state];
            state = back[t, state];
        }
        int begin = 0, next = 0;
        for (int i = 0; i < n; i++)
        {
            switch (tags[i])
            {
                case 'B': begin = i; break;
                case 'E': yield return obs.Substring(begin, i - begin + 1); next = i + 1; break;
                case 'S': yield return obs[i].ToString(); next = i + 1; break;
            }
        }
        if (next < n) yield return obs[next..];
    }

    double Emit(int state, char c) => data.Hmm.Emission[state].TryGetValue(c, out var p) ? p : HmmTables.MinFloat;
}
