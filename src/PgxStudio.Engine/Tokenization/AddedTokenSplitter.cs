using System.Buffers;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Finds added tokens (special or not) in text, leftmost first and longest at a position, as Hugging Face does
/// before normalizing and splitting the plain text between them.
/// </summary>
public sealed class AddedTokenSplitter
{
    readonly Dictionary<char, AddedToken[]> _byFirstChar;
    readonly SearchValues<char> _firstChars;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
    }

    /// <summary>Calls <paramref name="plain"/> for each stretch of plain text and <paramref name="added"/> for each token, in order.</summary>
    public void Split(string text, Action<int, int> plain, Action<AddedToken> added)
    {
        int plainStart = 0;
        for (int i = 0; i < text.Length;)
        {
            int next = text.AsSpan(i).IndexOfAny(_firstChars);
            if (next < 0) break;
            i += next;
            var match = Array.Find(_byFirstChar[text[i]], t => text.AsSpan(i).StartsWith(t.Content, StringComparison.Ordinal));
            if (match is null)
            {
                i++;
                continue;
            }
            if (i > plainStart) plain(plainStart, i - plainStart);
            added(match);
            i += match.Content.Length;
            plainStart = i;
        }
        if (plainStart < text.Length) plain(plainStart, text.Length - plainStart);
    }
}
