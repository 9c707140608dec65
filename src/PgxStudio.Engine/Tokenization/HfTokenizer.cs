using System.Text;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer (Qwen2, Qwen3, Llama-3, the studio's demo model) loaded from a model
/// folder's tokenizer.json and tokenizer_config.json, giving the same ids as Hugging Face. Encoding: added tokens
/// are matched whole, the text between them is NFC-normalized (when the tokenizer says so), split by the
/// tokenizer's regex, and each piece byte-pair encoded (<see cref="PieceEncoder"/>). Safe to share between threads.
/// </summary>
public sealed class HfTokenizer : ITokenizer
{
    // Only what encoding needs after construction: the merges stay with the BPE model inside PieceEncoder.
    readonly Dictionary<string, int> _vocabulary;
    readonly bool _normalizeNfc, _addPrefixSpace;
    readonly AddedTokenSplitter _splitter;
    readonly SplitPreTokenizer? _preTokenizer;
    readonly PieceEncoder _pieces;
    readonly Dictionary<string, int> _addedByContent;
    readonly byte[]?[] _tokenBytes;
    readonly bool[] _special;

    HfTokenizer(TokenizerJson definition, TokenizerConfig config, string path)
    {
        _vocabulary = definition.Vocabulary;
        _normalizeNfc = definition.NormalizeNfc;
        _addPrefixSpace = definition.AddPrefixSpace;
        Config = config;
        AddedTokens = definition.AddedTokens;
        _splitter = new AddedTokenSplitter(definition.AddedTokens);
        _preTokenizer = definition.SplitPattern is null ? null : new SplitPreTokenizer(definition.SplitPattern);
        _pieces = new PieceEncoder(definition, path);
        _addedByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in definition.AddedTokens) _addedByContent.TryAdd(token.Content, token.Id);

        int size = Math.Max(definition.Vocabulary.Values.DefaultIfEmpty(-1).Max(), definition.AddedTokens.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
        var tokens = new string?[size];
        foreach (var (token, id) in definition.Vocabulary) tokens[id] = token;
        foreach (var token in definition.AddedTokens) tokens[token.Id] = token.Content;
        _tokenBytes = tokens.Select(t => t is null ? null : ByteLevelAlphabet.TokenBytes(t)).ToArray();
        _special = new bool[size];
        foreach (var token in definition.AddedTokens.Where(t => t.Special)) _special[token.Id] = true;
    }

    /// <summary>Loads tokenizer.json (required) and tokenizer_config.json (bos/eos/pad, when present) from a model folder.</summary>
    public static HfTokenizer Load(string modelDirectory)
    {
        if (!Directory.Exists(modelDirectory))
            throw new TokenizerFileException($"Model folder {modelDirectory} does not exist; give a folder holding tokenizer.json.");
        var path = Path.Combine(modelDirectory, "tokenizer.json");
        var definition = TokenizerJson.Read(path);
        var config = TokenizerConfig.Read(Path.Combine(modelDirectory, "tokenizer_config.json"));
        return new HfTokenizer(definition, config, path);
    }

    public TokenizerConfig Config { get; }

    /// <summary>Every entry of added_tokens (chat markers, tool and thinking tags), special or not.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public int VocabularySize => _tokenBytes.Length;

    /// <summary>Qwen2/Qwen3 NFC-normalize text before splitting it; Llama-3 keeps it as it is.</summary>
    public bool NormalizesNfc => _normalizeNfc;

    public int? BosTokenId => Config.BosToken is { } t ? TokenToId(t) : null;
    public int? EosTokenId => Config.EosToken is { } t ? TokenToId(t) : null;
    public int? PadTokenId => Config.PadToken is { } t ? TokenToId(t) : null;

    /// <summary>True for added tokens marked special (dropped when decoding with skipSpecialTokens).</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    public int? TokenToId(string token) =>
        _addedByContent.TryGetValue(token, out int added) ? added
        : _vocabulary.TryGetValue(token, out int id) ? id
        : null;

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        var pieces = new List<(int Start, int Length)>();
        _splitter.Split(text,
            (start, length) => EncodePlain(length == text.Length ? text : text.Substring(start, length), ids, pieces),
            token => ids.Add(token.Id));
        return ids;
    }

    void EncodePlain(string plain, List<int> ids, List<(int Start, int Length)> pieces)
    {
        if (_normalizeNfc) plain = plain.Normalize(NormalizationForm.FormC);
        if (_addPrefixSpace && !plain.StartsWith(' ')) plain = " " + plain;
        if (_preTokenizer is null)
        {
            _pieces.Encode(plain, ids);
            return;
        }
        pieces.Clear();
        _preTokenizer.Split(plain, pieces);
        foreach (var (start, length) in pieces) _pieces.Encode(plain.AsSpan(start, length), ids);
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id)) continue;
            bytes.AddRange(TokenBytes(id));
        }
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>The UTF-8 bytes an id stands for (a token may hold part of a character).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) =>
        (uint)id < (uint)_tokenBytes.Length && _tokenBytes[id] is { } bytes
            ? bytes
            : throw new ArgumentOutOfRangeException(nameof(id), $"Token id {id} is not in this tokenizer's vocabulary of {_tokenBytes.Length}.");

    /// <summary>A decoder for ids that arrive one at a time (generation), emitting only whole characters.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);
}
