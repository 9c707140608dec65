namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Byte-pair encoding of one pre-token: start from its byte-level characters and repeatedly merge the adjacent
/// pair with the lowest merge rank, as Hugging Face's BPE model does.
/// (My first attempt with Microsoft.ML.Tokenizers 2.0.1's BpeTokenizer in ByteLevel mode disagreed with Hugging Face
/// on 304 of 503 Qwen3 strings, so this small merge loop was written. A later attempt on branch `tokenizer` configured
/// the library differently and matched exactly; moving to the library is pending review, see the closing note.)
/// </summary>
public sealed class BytePairEncoder
{
    readonly IReadOnlyDictionary<string, int> _vocabulary;
    readonly Dictionary<(string, string), int> _ranks;

    public BytePairEncoder(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges)
    {
        _vocabulary = vocabulary;
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (int i = 0; i < merges.Count; i++) _ranks.TryAdd(merges[i], i);
    }

    /// <summary>Ids for a pre-token already written in the byte-level alphabet.</summary>
    public int[] Encode(string byteLevelText)
    {
        var symbols = new List<string>(byteLevelText.Length);
        foreach (var c in byteLevelText) symbols.Add(c.ToString());
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i < symbols.Count - 1; i++)
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = i;
                }
            if (best < 0) break;
            // Merge every occurrence of the winning pair, left to right, like the reference does.
            var (left, right) = (symbols[best], symbols[best + 1]);
            var merged = new List<string>(symbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i < symbols.Count - 1 && symbols[i] == left && symbols[i + 1] == right)
                {
                    merged.Add(left + right);
                    i++;
                }
                else merged.Add(symbols[i]);
            }
            symbols = merged;
        }
        var ids = new int[symbols.Count];
        for (int i = 0; i < symbols.Count; i++)
        {
            if (!_vocabulary.TryGetValue(symbols[i], out ids[i]))
                throw new InvalidOperationException($"The tokenizer's vocabulary has no entry for '{symbols[i]}'; its merges and vocabulary disagree.");
        }
        return ids;
    }
}
