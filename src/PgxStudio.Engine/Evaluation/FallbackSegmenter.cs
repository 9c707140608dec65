using System.Text;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// Used only when no jieba data is on the machine (scores are then NOT comparable with LLaMA-Factory's):
/// every CJK character is a word, runs of letters/digits are words, white space and any other character stand
/// alone. Needs no network and no data.
/// </summary>
public sealed class FallbackSegmenter : IWordSegmenter
{
    public string Description => "fallback: CJK characters one by one, letter/digit runs as words (no jieba data found)";

    public IEnumerable<string> Cut(string text)
    {
        var run = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) && !IsCjk(rune)) { run.Append(rune.ToString()); continue; }
            if (run.Length > 0) { yield return run.ToString(); run.Clear(); }
            yield return rune.ToString();
        }
        if (run.Length > 0) yield return run.ToString();
    }

    static bool IsCjk(Rune r) => r.Value is >= 0x2E80 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3FFFF
        || r.Value is >= 0xAC00 and <= 0xD7AF; // Hangul syllables too
}
