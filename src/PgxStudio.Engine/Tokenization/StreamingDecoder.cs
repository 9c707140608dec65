using System.Text;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Turns ids into text as they arrive (generation), holding back the bytes of a UTF-8 character until it is
/// complete: a Chinese character or an emoji split over two tokens comes out once, whole, never as U+FFFD.
/// The pieces it returns add up to <see cref="HfTokenizer.Decode"/> of the same ids. Not thread-safe (one per stream).
/// </summary>
public sealed class StreamingDecoder(HfTokenizer tokenizer, bool skipSpecialTokens = true)
{
    // .NET's UTF-8 decoder keeps an unfinished character between calls and replaces invalid bytes as GetString does.
    readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();

    /// <summary>The text that became complete with this id (often empty while a character is still partial).</summary>
    public string Add(int id) => skipSpecialTokens && tokenizer.IsSpecial(id) ? "" : Decode(tokenizer.TokenBytes(id), flush: false);

    /// <summary>Whatever is still held back; an unfinished character at the very end becomes U+FFFD, as in Decode.</summary>
    public string Flush() => Decode([], flush: true);

    string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = new char[_utf8.GetCharCount(bytes, flush)];
        _utf8.GetChars(bytes, chars, flush);
        return new string(chars);
    }
}
