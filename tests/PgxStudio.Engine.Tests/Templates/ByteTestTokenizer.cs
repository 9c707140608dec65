using System.Text;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Templates;

/// <summary>
/// A test-only tokenizer: one id per UTF-8 byte (0–255), each special token one id from 256 on. Ids are then easy
/// to predict by hand; the real byte-level BPE tokenizer is tested with real tokenizer files elsewhere.
/// </summary>
public sealed class ByteTestTokenizer : ITokenizer
{
    public static readonly string[] Specials =
    [
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|end_of_text|>",
        "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>", "<s>", "</s>",
    ];

    readonly string? _bos, _eos;

    public ByteTestTokenizer(string? bos = null, string? eos = "</s>") { _bos = bos; _eos = eos; }

    public static ByteTestTokenizer Qwen() => new(null, "<|im_end|>");
    public static ByteTestTokenizer Llama3() => new("<|begin_of_text|>", "<|eot_id|>");

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        var start = 0;
        for (var i = 0; i < text.Length;)
        {
            var special = Array.FindIndex(Specials, s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
            if (special < 0) { i++; continue; }
            ids.AddRange(Encoding.UTF8.GetBytes(text[start..i]).Select(b => (int)b));
            ids.Add(256 + special);
            i += Specials[special].Length;
            start = i;
        }
        ids.AddRange(Encoding.UTF8.GetBytes(text[start..]).Select(b => (int)b));
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id < 256) { bytes.Add((byte)id); continue; }
            sb.Append(Encoding.UTF8.GetString(bytes.ToArray())); bytes.Clear();
            if (!skipSpecialTokens) sb.Append(Specials[id - 256]);
        }
        return sb.Append(Encoding.UTF8.GetString(bytes.ToArray())).ToString();
    }

    public int? TokenToId(string token)
    {
        var i = Array.IndexOf(Specials, token);
        if (i >= 0) return 256 + i;
        var b = Encoding.UTF8.GetBytes(token);
        return b.Length == 1 ? b[0] : null;
    }

    public int VocabularySize => 256 + Specials.Length;
    public int? BosTokenId => _bos is null ? null : TokenToId(_bos);
    public int? EosTokenId => _eos is null ? null : TokenToId(_eos);
    public int? PadTokenId => null;

    /// <summary>Ids of <paramref name="text"/> (shorthand for expected values).</summary>
    public List<int> Ids(string text) => Encode(text).ToList();
}
