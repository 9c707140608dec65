using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Data;

/// <summary>How long a dataset's examples are under a tokenizer and template, and what a cutoff_len would cut.</summary>
public sealed class DatasetStatistics
{
    /// <summary>Token lengths of the whole examples (all turns, before any cutoff), ascending.</summary>
    public IReadOnlyList<int> Lengths { get; }
    public int SampleCount => Lengths.Count;
    public int Min => Lengths.Count == 0 ? 0 : Lengths[0];
    public int Max => Lengths.Count == 0 ? 0 : Lengths[^1];
    public double Mean => Lengths.Count == 0 ? 0 : Lengths.Average();

    DatasetStatistics(List<int> lengths) { lengths.Sort(); Lengths = lengths; }

    /// <summary>Lengths of SFT examples (template-encoded turns) or, for <c>pt</c>, of each text plus its eos.</summary>
    public static DatasetStatistics Compute(IEnumerable<Conversation> conversations, ChatTemplate template, ITokenizer tokenizer, string stage = "sft")
    {
        var eos = template.EosToken(tokenizer) ?? "";
        var lengths = conversations.Select(c => stage == "pt"
            ? tokenizer.Encode(c.Prompt[0].Content + eos).Count
            : template.EncodeMultiTurn(tokenizer, c.Messages, c.System).Sum(p => p.Prompt.Count + p.Response.Count)).ToList();
        return new DatasetStatistics(lengths);
    }

    public static DatasetStatistics FromLengths(IEnumerable<int> lengths) => new(lengths.ToList());

    /// <summary>The length at or below which <paramref name="fraction"/> of the samples lie (nearest rank).</summary>
    public int Percentile(double fraction)
    {
        if (Lengths.Count == 0) return 0;
        var rank = (int)Math.Ceiling(fraction * Lengths.Count);
        return Lengths[Math.Clamp(rank - 1, 0, Lengths.Count - 1)];
    }

    /// <summary>The share of samples longer than <paramref name="cutoffLen"/> (they would be truncated).</summary>
    public double TruncatedShare(int cutoffLen) =>
        Lengths.Count == 0 ? 0 : (double)Lengths.Count(l => l > cutoffLen) / Lengths.Count;

    /// <summary>Round cutoff values a user would pick.</summary>
    public static readonly int[] RoundCutoffs = [128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 65536, 131072];

    /// <summary>The smallest round cutoff_len that keeps at least <paramref name="coverage"/> of the samples whole.</summary>
    public int SuggestCutoffLen(double coverage = 0.99)
    {
        var needed = Percentile(coverage);
        return RoundCutoffs.FirstOrDefault(c => c >= needed, RoundCutoffs[^1]);
    }

    /// <summary>Counts per bucket of <paramref name="bucketWidth"/> tokens: (bucket start, count), for a histogram.</summary>
    public IReadOnlyList<(int Start, int Count)> Histogram(int bucketWidth) =>
        Lengths.GroupBy(l => l / bucketWidth * bucketWidth).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key).ToList();
}
