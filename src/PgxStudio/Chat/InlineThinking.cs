using System.Text;

namespace PgxStudio.Chat;

/// <summary>
/// Splits streamed text on &lt;think&gt; and &lt;/think&gt; for servers that send a thinking model's reasoning inline.
/// A tag may arrive cut over two pieces, so a trailing part that could still become a tag is held back.
/// </summary>
public sealed class InlineThinking
{
    const string Open = "<think>", Close = "</think>";
    readonly StringBuilder _pending = new();
    bool _inside;

    public IEnumerable<ChatPiece> Split(string text)
    {
        _pending.Append(text);
        var buffer = _pending.ToString();
        _pending.Clear();
        var pieces = new List<ChatPiece>();
        while (buffer.Length > 0)
        {
            var tag = _inside ? Close : Open;
            int at = buffer.IndexOf(tag, StringComparison.Ordinal);
            if (at >= 0)
            {
                Add(pieces, buffer[..at]);
                _inside = !_inside;
                buffer = buffer[(at + tag.Length)..];
                continue;
            }
            int keep = PartialTagAtEnd(buffer, tag);
            Add(pieces, buffer[..^keep]);
            _pending.Append(buffer[^keep..]);
            break;
        }
        return pieces;
    }

    /// <summary>What was held back at the end of the stream: it was not a tag after all.</summary>
    public IEnumerable<ChatPiece> Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        var pieces = new List<ChatPiece>();
        Add(pieces, rest);
        return pieces;
    }

    void Add(List<ChatPiece> pieces, string text)
    {
        if (text.Length > 0) pieces.Add(_inside ? new ChatPiece(Thinking: text) : new ChatPiece(Text: text));
    }

    /// <summary>How many characters at the end of <paramref name="text"/> are the start of <paramref name="tag"/>.</summary>
    static int PartialTagAtEnd(string text, string tag)
    {
        for (int n = Math.Min(tag.Length - 1, text.Length); n > 0; n--)
            if (text.EndsWith(tag[..n], StringComparison.Ordinal)) return n;
        return 0;
    }
}
