using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Splits text into pieces with tokenizer.json's Split regex, keeping the gaps between matches as pieces too
/// (Hugging Face's "Isolated" behaviour). Hugging Face matches code points while .NET matches UTF-16 units, so
/// a text with characters outside the BMP (emoji, 𝐀, 𠀀) is matched through a stand-in where each such character is
/// one BMP character of the same class (letter, number, other); e.g. "😀abc" stays one piece as in Hugging Face.
/// </summary>
public sealed class SplitPreTokenizer(string pattern)
{
    readonly Regex _regex = new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Appends (start, length) of each piece of <paramref name="text"/> to <paramref name="pieces"/>.</summary>
    public void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            SplitBmp(text, pieces);
            return;
        }
        var (standIn, origin) = StandIn(text);
        int first = pieces.Count;
        SplitBmp(standIn, pieces);
        for (int i = first; i < pieces.Count; i++)
        {
            var (start, length) = pieces[i];
            int from = origin[start], to = origin[start + length];
            pieces[i] = (from, to - from);
        }
    }

    void SplitBmp(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        int end = 0;
        foreach (var m in _regex.EnumerateMatches(text))
        {
            if (m.Length == 0) continue;
            if (m.Index > end) pieces.Add((end, m.Index - end));
            pieces.Add((m.Index, m.Length));
            end = m.Index + m.Length;
        }
        if (end < text.Length) pieces.Add((end, text.Length - end));
    }

    /// <summary>The text with each astral character as one BMP character of its class, and where each stand-in
    /// position starts in the original (one extra entry for the end).</summary>
    static (string StandIn, int[] Origin) StandIn(ReadOnlySpan<char> text)
    {
        var standIn = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            origin.Add(i);
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out int used) == System.Buffers.OperationStatus.Done && used == 2)
            {
                standIn.Append(Rune.GetUnicodeCategory(rune) switch
                {
                    UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => 'x',
                    UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => '0',
                    _ => '\uE000', // private use: neither letter, number nor space, like an emoji
                });
                i += 2;
            }
            else
            {
                // A lone surrogate becomes U+FFFD in UTF-8: a symbol, like the stand-in for an emoji.
                standIn.Append(char.IsSurrogate(text[i]) ? '\uE000' : text[i]);
                i++;
            }
        }
        origin.Add(text.Length);
        return (standIn.ToString(), origin.ToArray());
    }
}
