using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Turns ids into text as they arrive (generation), holding back the bytes of a UTF-8 character until it is
/// complete: a Chinese character or an emoji split over two tokens comes out once, whole, never as U+FFFD.
/// The pieces it returns add up to <see cref="HfTokenizer.Decode"/> of the same ids. Not thread-safe (one per stream).
/// </summary>
public sealed class StreamingDecoder(HfTokenizer tokenizer, bool skipSpecialTokens = true)
{
    byte[] _pending = new byte[64];
    int _count;

    /// <summary>The text that became complete with this id (often empty while a character is still partial).</summary>
    public string Add(int id)
    {
        if (skipSpecialTokens && tokenizer.IsSpecial(id)) return "";
        var bytes = tokenizer.TokenBytes(id);
        if (_count + bytes.Length > _pending.Length) Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _count + bytes.Length));
        bytes.CopyTo(_pending.AsSpan(_count));
        _count += bytes.Length;
        return Take(isFinalBlock: false);
    }

    /// <summary>Whatever is still held back; an unfinished character at the very end becomes U+FFFD, as in Decode.</summary>
    public string Flush() => Take(isFinalBlock: true);

    /// <summary>Decodes the complete characters pending (invalid bytes become U+FFFD) and keeps an unfinished tail.</summary>
    string Take(bool isFinalBlock)
    {
        if (_count == 0) return "";
        var chars = new char[_count + 1];
        Utf8.ToUtf16(_pending.AsSpan(0, _count), chars, out int read, out int written, replaceInvalidSequences: true, isFinalBlock);
        _pending.AsSpan(read, _count - read).CopyTo(_pending);
        _count -= read;
        return new string(chars, 0, written);
    }
}
