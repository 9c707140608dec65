using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer (Qwen2, Qwen3, Llama-3) loaded from a model folder's tokenizer.json and
/// tokenizer_config.json. Added tokens are matched whole, the rest is NFC-normalized, split by the tokenizer's
/// regex and byte-pair encoded (see <see cref="BytePairEncoder"/> for why not Microsoft.ML.Tokenizers).
/// </summary>
public sealed class HfTokenizer : ITokenizer
{
    readonly TokenizerDefinition _definition;
    readonly BytePairEncoder _bpe;
    readonly AddedTokenSplitter _splitter;
    readonly Regex? _split;
    readonly string[] _idToToken;
    readonly HashSet<int> _special;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    HfTokenizer(TokenizerDefinition definition, TokenizerSettings settings)
    {
        _definition = definition;
        Settings = settings;
        _bpe = new BytePairEncoder(definition.Vocabulary, definition.Merges);
        _splitter = new AddedTokenSplitter(definition.AddedTokens);
        _split = definition.SplitPattern is null ? null : new Regex(definition.SplitPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        int size = Math.Max(definition.Vocabulary.Values.DefaultIfEmpty(-1).Max(), definition.AddedTokens.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
        _idToToken = new string[size];
        foreach (var (token, id) in definition.Vocabulary) _idToToken[id] = token;
        foreach (var token in definition.AddedTokens) _idToToken[token.Id] = token.Content;
        _special = definition.AddedTokens.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        AddedTokens = definition.AddedTokens;
    }

    /// <summary>Loads tokenizer.json (and tokenizer_config.json when present) from a model folder.</summary>
    public static HfTokenizer Load(string modelDirectory)
    {
        var definition = TokenizerDefinition.Read(Path.Combine(modelDirectory, "tokenizer.json"));
        var settings = TokenizerSettings.Read(Path.Combine(modelDirectory, "tokenizer_config.json"));
        return new HfTokenizer(definition, settings);
    }

    public TokenizerSettings Settings { get; }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public int VocabularySize => _idToToken.Length;

    /// <summary>Qwen2/Qwen3 NFC-normalize text before splitting; Llama-3 keeps it as it is.</summary>
    public bool NormalizesNfc => _definition.NormalizeNfc;

    public int? BosTokenId => Settings.BosToken is { } t ? TokenToId(t) : null;
    public int? EosTokenId => Settings.EosToken is { } t ? TokenToId(t) : null;
    public int? PadTokenId => Settings.PadToken is { } t ? TokenToId(t) : null;

    public bool IsSpecial(int id) => _special.Contains(id);

    public int? TokenToId(string token)
    {
        var added = _definition.AddedTokens.FirstOrDefault(t => t.Content == token);
        if (added is not null) return added.Id;
        return _definition.Vocabulary.TryGetValue(token, out var id) ? id : null;
    }

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (var (segment, token) in _splitter.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            var normalized = _definition.NormalizeNfc ? segment.Normalize(NormalizationForm.FormC) : segment;
            if (_split is null)
            {
                ids.AddRange(EncodePiece(normalized));
                continue;
            }
            for (var m = _split.Match(normalized); m.Success; m = m.NextMatch())
                ids.AddRange(EncodePiece(m.Value));
        }
        return ids;
    }

    int[] EncodePiece(string piece)
    {
        if (_cache.TryGetValue(piece, out var cached)) return cached;
        var byteLevel = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(piece));
        // ignore_merges (Llama-3): a piece that is itself a vocabulary entry is that one token.
        int[] ids = _definition.IgnoreMerges && _definition.Vocabulary.TryGetValue(byteLevel, out var whole)
            ? [whole]
            : _bpe.Encode(byteLevel);
        if (piece.Length <= 64 && _cache.Count < 200_000) _cache[piece] = ids;
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _special.Contains(id)) continue;
            AppendToken(id, text, bytes);
        }
        Flush(text, bytes);
        return text.ToString();
    }

    /// <summary>Adds a token's text: byte-level tokens are collected as bytes, added tokens are literal text.</summary>
    internal void AppendToken(int id, StringBuilder text, List<byte> bytes)
    {
        if ((uint)id >= (uint)_idToToken.Length || _idToToken[id] is not { } token)
            throw new ArgumentOutOfRangeException(nameof(id), $"Token id {id} is outside this tokenizer's vocabulary of {_idToToken.Length}.");
        if (_definition.Vocabulary.ContainsKey(token) && ByteLevelAlphabet.TryDecode(token, bytes)) return;
        Flush(text, bytes);
        text.Append(token);
    }

    internal static void Flush(StringBuilder text, List<byte> bytes)
    {
        if (bytes.Count == 0) return;
        text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
        bytes.Clear();
    }

    internal bool IsByteToken(int id, out string token)
    {
        token = (uint)id < (uint)_idToToken.Length ? _idToToken[id] ?? "" : "";
        return _definition.Vocabulary.ContainsKey(token) && !_definition.AddedTokens.Any(t => t.Id == id);
    }

    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);
}
