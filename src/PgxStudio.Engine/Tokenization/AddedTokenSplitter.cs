namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Cuts text at every added token (special or not), matched whole and longest first, as Hugging Face does
/// before normalizing and pre-tokenizing the text between them.
/// </summary>
public sealed class AddedTokenSplitter
{
    readonly Dictionary<char, List<AddedToken>> _byFirstChar = new();

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens.Where(t => t.Content.Length > 0).OrderByDescending(t => t.Content.Length))
        {
            if (!_byFirstChar.TryGetValue(token.Content[0], out var list)) _byFirstChar[token.Content[0]] = list = [];
            list.Add(token);
        }
    }

    /// <summary>Segments in order: plain text (Token null) or one added token.</summary>
    public IEnumerable<(string Text, AddedToken? Token)> Split(string text)
    {
        int plainStart = 0;
        for (int i = 0; i < text.Length;)
        {
            var match = _byFirstChar.TryGetValue(text[i], out var candidates)
                ? candidates.FirstOrDefault(t => string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0)
                : null;
            if (match is null)
            {
                i++;
                continue;
            }
            if (i > plainStart) yield return (text[plainStart..i], null);
            yield return (match.Content, match);
            i += match.Content.Length;
            plainStart = i;
        }
        if (plainStart < text.Length) yield return (text[plainStart..], null);
    }
}
