using System.Text;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Turns generated ids into text as they arrive, holding back the bytes of a UTF-8 character until it is
/// complete: a Chinese character or an emoji split over two tokens is emitted once, whole.
/// </summary>
public sealed class StreamingDecoder(HfTokenizer tokenizer, bool skipSpecialTokens)
{
    readonly List<byte> _pending = [];

    /// <summary>The text that became complete with this id (possibly empty).</summary>
    public string Add(int id)
    {
        if (skipSpecialTokens && tokenizer.IsSpecial(id)) return "";
        var text = new StringBuilder();
        tokenizer.AppendToken(id, text, _pending);
        int complete = CompletePrefixLength(_pending);
        if (complete > 0)
        {
            text.Append(Encoding.UTF8.GetString(_pending.GetRange(0, complete).ToArray()));
            _pending.RemoveRange(0, complete);
        }
        return text.ToString();
    }

    /// <summary>Whatever is still held back (an incomplete character at the very end becomes U+FFFD).</summary>
    public string Flush()
    {
        var text = _pending.Count == 0 ? "" : Encoding.UTF8.GetString(_pending.ToArray());
        _pending.Clear();
        return text;
    }

    /// <summary>Bytes up to the last character boundary; a trailing partial sequence stays pending.</summary>
    static int CompletePrefixLength(List<byte> bytes)
    {
        int n = bytes.Count;
        // Look back at most 3 bytes for the start of the last character.
        for (int back = 1; back <= Math.Min(4, n); back++)
        {
            byte b = bytes[n - back];
            if ((b & 0xC0) == 0x80) continue; // continuation byte
            int needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return back >= needed ? n : n - back;
        }
        return n; // only continuation bytes: invalid anyway, let the decoder replace them
    }
}
