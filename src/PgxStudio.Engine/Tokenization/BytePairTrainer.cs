using System.Text;
using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// Learns byte-level BPE merges from a text, the way Hugging Face's BPE trainer does in spirit: pre-tokenize with
/// the model's split regex, count words, and repeatedly merge the most frequent adjacent pair (ties broken by
/// the pair's text, so the result is deterministic). Used for the demo model's small tokenizer.
/// </summary>
public static class BytePairTrainer
{
    public static (Dictionary<string, int> Vocabulary, List<(string, string)> Merges) Train(string text, string splitPattern, int maxMerges, int minFrequency = 2)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(text.Normalize(NormalizationForm.FormC), splitPattern))
        {
            var word = ByteLevelAlphabet.Encode(m.ValueSpan);
            words[word] = words.GetValueOrDefault(word) + 1;
        }
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++) vocabulary[ByteLevelAlphabet.ByteToChar[b].ToString()] = b;
        var split = words.ToDictionary(w => w.Key, w => w.Key.Select(c => c.ToString()).ToList(), StringComparer.Ordinal);
        var merges = new List<(string, string)>();
        while (merges.Count < maxMerges)
        {
            var counts = new Dictionary<(string, string), int>();
            foreach (var (word, symbols) in split)
                for (int i = 0; i < symbols.Count - 1; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    counts[pair] = counts.GetValueOrDefault(pair) + words[word];
                }
            if (counts.Count == 0) break;
            var best = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item1 + "\u0000" + c.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < minFrequency) break;
            var (left, right) = best.Key;
            merges.Add((left, right));
            vocabulary[left + right] = vocabulary.Count;
            foreach (var symbols in split.Values)
                for (int i = 0; i < symbols.Count - 1; i++)
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = left + right;
                        symbols.RemoveAt(i + 1);
                    }
        }
        return (vocabulary, merges);
    }
}
