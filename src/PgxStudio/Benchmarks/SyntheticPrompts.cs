using System.Text;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Benchmarks;

/// <summary>
/// Synthetic benchmark prompts and how long they are. With the target model's tokenizer every prompt is exactly the
/// asked number of tokens (measured by encoding it, without the chat template the server adds); without one the
/// length is an estimate of four characters a token, and the label says so.
/// </summary>
public sealed record SyntheticPrompts(IReadOnlyList<string> Prompts, string Label)
{
    static readonly string[] Words =
        ["river", "lantern", "copper", "meadow", "signal", "harbor", "violet", "engine", "garden", "thunder", "pencil", "orbit"];

    // Short common words and a full stop: one token in byte-level vocabularies, they fill the last few tokens exactly.
    static readonly string[] Fillers = ["a", "the", "and", "of", "to", "in", "is", "it", "on", "."];

    /// <summary>Distinct prompts (a different word order each) of about <paramref name="tokens"/> tokens by chars/4.</summary>
    public static SyntheticPrompts Estimated(int tokens, int count)
    {
        Check(tokens);
        var prompts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder($"Request {i}. Repeat these words: ");
            var random = new Random(i);
            while (text.Length < tokens * 4) text.Append(Words[random.Next(Words.Length)]).Append(' ');
            prompts.Add(text.ToString(0, Math.Max(1, tokens * 4)).TrimEnd());
        }
        return new SyntheticPrompts(prompts, $"synthetic ~{tokens} tokens (chars/4 estimate, no tokenizer given)");
    }

    /// <summary>Distinct prompts of exactly <paramref name="tokens"/> tokens of <paramref name="tokenizer"/> (named in the label).</summary>
    public static SyntheticPrompts Exact(int tokens, int count, ITokenizer tokenizer, string tokenizerName)
    {
        Check(tokens);
        var builder = new Builder(tokenizer);
        var prompts = Enumerable.Range(0, count).Select(i => builder.Build(tokens, i)).ToList();
        var lengths = prompts.Select(p => tokenizer.Encode(p).Count).ToList();
        // A tokenizer whose counts do not add up word by word may miss by a token: report what was measured.
        var measured = lengths.Min() == lengths.Max() ? $"{lengths[0]}" : $"{lengths.Min()}–{lengths.Max()}";
        return new SyntheticPrompts(prompts, $"synthetic {measured} tokens (counted with the {tokenizerName} tokenizer)");
    }

    static void Check(int tokens)
    {
        if (tokens < 1) throw new ArgumentException($"--prompt-len {tokens} must be at least 1.");
    }

    /// <summary>
    /// Builds a prompt word by word. Byte-level BPE splits text before merging, so a word with its leading space costs
    /// the same tokens wherever it goes: the greedy sum is the length, checked and corrected by encoding the whole.
    /// </summary>
    sealed class Builder(ITokenizer tokenizer)
    {
        readonly Dictionary<string, int> _cost = [];

        int Cost(string piece)
        {
            if (!_cost.TryGetValue(piece, out var n)) _cost[piece] = n = tokenizer.Encode(piece).Count;
            return n;
        }

        public string Build(int tokens, int index)
        {
            var random = new Random(index);
            var parts = new List<string>();
            int used = 0;
            var opening = $"Request {index}. Repeat these words:";
            if (Cost(opening) <= tokens) (parts, used) = ([opening], Cost(opening));
            else
            {
                // Too short for the opening: a different first word keeps the prompts distinct.
                var first = Words.Concat(Fillers).Where(w => Cost(w) <= tokens).OrderBy(Cost).ThenBy(w => w, StringComparer.Ordinal).ToList();
                if (first.Count > 0) (parts, used) = ([first[index % first.Count]], Cost(first[index % first.Count]));
            }
            while (used < tokens && Next(tokens - used, random) is { } word)
            {
                parts.Add(word);
                used += Cost(word);
            }
            var text = string.Concat(parts);
            // Correct what the word-by-word sum got wrong (a tokenizer that merges across words): a bounded walk.
            for (int tries = 0; tries < 64; tries++)
            {
                int actual = tokenizer.Encode(text).Count;
                if (actual == tokens) break;
                if (actual > tokens && parts.Count > 1) parts.RemoveAt(parts.Count - 1);
                else if (actual < tokens && Next(tokens - actual, random) is { } more) parts.Add(more);
                else break;
                text = string.Concat(parts);
            }
            return text;
        }

        /// <summary>A word (with its leading space) that fits in <paramref name="room"/> tokens: a random one, else the cheapest filler.</summary>
        string? Next(int room, Random random)
        {
            var word = " " + Words[random.Next(Words.Length)];
            if (Cost(word) <= room) return word;
            return Fillers.Select(f => " " + f).Where(f => Cost(f) <= room).OrderBy(Cost).FirstOrDefault();
        }
    }
}
