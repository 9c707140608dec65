using System.Text;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// GPT-2's byte-level alphabet: each byte is written as one printable character (a space is 'Ġ', a newline 'Ċ'),
/// so byte-level BPE vocabularies are strings. Needed to look pieces up in the vocabulary and to decode ids.
/// </summary>
public static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = BuildByteToChar();
    static readonly short[] CharToByte = BuildCharToByte();

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
            map[b] = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)next++;
        return map;
    }

    static short[] BuildCharToByte()
    {
        var map = new short[512];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++) map[ByteToChar[b]] = (short)b;
        return map;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    public static string Encode(ReadOnlySpan<char> text)
    {
        Span<byte> bytes = text.Length <= 256 ? stackalloc byte[text.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        int count = Encoding.UTF8.GetBytes(text, bytes);
        return Encode(bytes[..count]);
    }

    /// <summary>The bytes a token stands for, as Hugging Face's ByteLevel decoder reads them: each character's
    /// byte when every character is in the alphabet, else the token's own UTF-8.</summary>
    public static byte[] TokenBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            int b = token[i] < CharToByte.Length ? CharToByte[token[i]] : -1;
            if (b < 0) return Encoding.UTF8.GetBytes(token);
            bytes[i] = (byte)b;
        }
        return bytes;
    }
}
