using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Byte-pair encodes one pre-token with Microsoft.ML.Tokenizers' byte-level <see cref="BpeTokenizer"/> built from
/// tokenizer.json's vocabulary and merges. Adds what the library lacks: ignore_merges (Llama-3: a piece that is
/// itself a vocabulary entry is that one token) and a cache of whole pieces, since text repeats its words.
/// </summary>
sealed class PieceEncoder
{
    const int MaxCachedPieceLength = 48;
    const int MaxCachedPieces = 250_000;

    readonly BpeTokenizer _bpe;
    readonly Dictionary<string, int>? _wholePieces;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;
    int _cached;

    public PieceEncoder(TokenizerJson definition, string path)
    {
        try
        {
            _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary) { Merges = definition.Merges, ByteLevel = true });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new TokenizerFileException($"{path} has merges that do not fit its vocabulary ({e.Message}); download the model's tokenizer.json again.", e);
        }
        _wholePieces = definition.IgnoreMerges ? definition.Vocabulary : null;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public void Encode(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (_cacheBySpan.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }
        int[] encoded = _wholePieces is not null && _wholePieces.TryGetValue(ByteLevelAlphabet.Encode(piece), out int whole)
            ? [whole]
            : [.. _bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false)];
        // Counted here: ConcurrentDictionary.Count takes every lock, which made the first pass three times slower.
        if (piece.Length <= MaxCachedPieceLength && _cached < MaxCachedPieces && _cacheBySpan.TryAdd(piece, encoded)) Interlocked.Increment(ref _cached);
        ids.AddRange(encoded);
    }
}
