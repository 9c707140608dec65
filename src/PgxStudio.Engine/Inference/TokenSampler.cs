using static TorchSharp.torch;

namespace PgxStudio.Engine.Inference;

/// <summary>Chooses the next token of each row from its logits: repetition penalty, temperature, top-k, top-p.</summary>
public sealed class TokenSampler(GenerationOptions options)
{
    readonly TorchSharp.torch.Generator? _random = options.Seed is { } seed ? new TorchSharp.torch.Generator((ulong)seed) : null;

    /// <param name="logits">[batch, vocab] for the last position.</param>
    /// <param name="seen">Per row, the ids already in the sequence (for the repetition penalty).</param>
    public long[] Next(Tensor logits, IReadOnlyList<HashSet<int>> seen)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32).clone();
        if (options.VocabularyLimit is { } limit && limit < scores.shape[^1])
            scores.narrow(-1, limit, scores.shape[^1] - limit).fill_(float.NegativeInfinity);
        if (options.RepetitionPenalty != 1.0)
            for (int row = 0; row < seen.Count; row++)
            {
                if (seen[row].Count == 0) continue;
                var ids = tensor(seen[row].Select(i => (long)i).ToArray(), device: scores.device);
                var picked = scores[row].index_select(0, ids);
                var penalised = where(picked.gt(0), picked / options.RepetitionPenalty, picked * options.RepetitionPenalty);
                scores[row].index_copy_(0, ids, penalised);
            }
        if (options.Greedy) return scores.argmax(-1).cpu().data<long>().ToArray();

        scores = scores / options.Temperature;
        if (options.TopK > 0 && options.TopK < scores.shape[^1])
        {
            var kth = scores.topk(options.TopK, -1).values.narrow(-1, options.TopK - 1, 1);
            scores = scores.masked_fill(scores.lt(kth), float.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = scores.sort(-1, descending: true);
            var cumulative = sorted.softmax(-1).cumsum(-1);
            // Drop tokens once the mass before them already reaches top_p; the best token always stays.
            var drop = (cumulative - sorted.softmax(-1)).gt(options.TopP);
            var dropInOriginalOrder = zeros_like(drop).scatter(-1, order, drop);
            scores = scores.masked_fill(dropInOriginalOrder, float.NegativeInfinity);
        }
        var probabilities = scores.softmax(-1);
        return multinomial(probabilities, 1, generator: _random).squeeze(-1).cpu().data<long>().ToArray();
    }
}
