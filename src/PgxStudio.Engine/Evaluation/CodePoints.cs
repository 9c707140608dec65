using System.Text;

namespace PgxStudio.Engine.Evaluation;

/// <summary>Python's view of a string: one element per code point, so emoji count once, as in list(str).</summary>
internal static class CodePoints
{
    public static int[] Of(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) result.Add(rune.Value);
        return [.. result];
    }

    /// <summary>Python's str.isspace(): .NET's white space plus the ASCII separators U+001C..U+001F.</summary>
    public static bool IsPythonSpace(Rune r) => Rune.IsWhiteSpace(r) || r.Value is >= 0x1C and <= 0x1F;

    /// <summary>Python's str.split() with no argument: runs of white space separate, none are kept.</summary>
    public static List<string> SplitOnSpace(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsPythonSpace(rune))
            {
                if (current.Length > 0) { parts.Add(current.ToString()); current.Clear(); }
            }
            else current.Append(rune.ToString());
        }
        if (current.Length > 0) parts.Add(current.ToString());
        return parts;
    }
}
