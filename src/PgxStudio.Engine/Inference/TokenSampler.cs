using static TorchSharp.torch;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// Chooses the next token of each row from its logits: repetition penalty, temperature, top-k, top-p, then a draw
/// from this sampler's own (seeded) generator. The filtering is one batched pass over every row sharing the same
/// settings (<see cref="Candidates"/>); only the draw is per sampler, so a batch of requests filters together while
/// each keeps its own random stream.
/// </summary>
public sealed class TokenSampler(GenerationOptions options)
{
    /// <summary>Top-p first looks among this many likeliest tokens; only when they hold less than top_p is the whole vocabulary sorted.</summary>
    const int NucleusCandidates = 1024;

    readonly TorchSharp.torch.Generator? _random = options.Seed is { } seed ? new TorchSharp.torch.Generator((ulong)seed) : null;

    /// <param name="logits">[batch, vocab] for the last position.</param>
    /// <param name="seen">Per row, the ids already in the sequence (for the repetition penalty).</param>
    public long[] Next(Tensor logits, IReadOnlyList<HashSet<int>> seen)
    {
        using var scope = NewDisposeScope();
        var scores = Scores(logits, options, seen);
        if (options.Greedy) return scores.argmax(-1).cpu().data<long>().ToArray();
        var (probabilities, order) = Candidates(scores, options);
        return Draw(probabilities, order);
    }

    /// <summary>Logits as float32 scores: past the tokenizer's vocabulary cut off, repeated ids penalised.</summary>
    public static Tensor Scores(Tensor logits, GenerationOptions options, IReadOnlyList<HashSet<int>>? seen = null)
    {
        var scores = logits.to(ScalarType.Float32);
        // Ids past the tokenizer's vocabulary are never chosen: they are cut off (a prefix keeps every id in place).
        if (options.VocabularyLimit is { } limit && limit < scores.shape[^1]) scores = scores.narrow(-1, 0, limit);
        if (options.RepetitionPenalty == 1.0 || seen is null) return scores; // read only from here on: no copy
        scores = scores.clone(); // penalised in place below, never the caller's logits
        for (int row = 0; row < seen.Count; row++)
        {
            if (seen[row].Count == 0) continue;
            var ids = tensor(seen[row].Where(i => i < scores.shape[^1]).Select(i => (long)i).ToArray(), device: scores.device);
            var picked = scores[row].index_select(0, ids);
            var penalised = where(picked.gt(0), picked / options.RepetitionPenalty, picked * options.RepetitionPenalty);
            scores[row].index_copy_(0, ids, penalised);
        }
        return scores;
    }

    /// <summary>
    /// The tokens each row may still choose and their probabilities after temperature, top-k and top-p:
    /// [rows, k] with their ids in <c>Order</c>, or (no filter) the whole vocabulary with a null order.
    /// </summary>
    public static (Tensor Probabilities, Tensor? Order) Candidates(Tensor scores, GenerationOptions options)
    {
        scores = scores / options.Temperature;
        long vocab = scores.shape[^1];
        Tensor candidates, order;
        if (options.TopK > 0 && options.TopK < vocab)
            (candidates, order) = scores.topk(options.TopK, -1);
        else if (options.TopP < 1.0)
            (candidates, order) = Nucleus(scores, vocab, options.TopP);
        else
            return (scores.softmax(-1), null);

        if (options.TopP < 1.0)
        {
            // Drop tokens once the mass before them already exceeds top_p; the best token always stays. With top-k
            // the mass is among the k kept, as transformers computes it after its top-k filter.
            var probabilities = options.TopK > 0 ? candidates.softmax(-1) : scores.softmax(-1).gather(-1, order);
            var before = probabilities.cumsum(-1) - probabilities;
            candidates = candidates.masked_fill(before.gt(options.TopP), float.NegativeInfinity);
        }
        return (candidates.softmax(-1), order);
    }

    /// <summary>One draw per row from this sampler's generator; the chosen ids.</summary>
    public long[] Draw(Tensor probabilities, Tensor? order)
    {
        var pick = multinomial(probabilities, 1, generator: _random);
        return (order is null ? pick : order.gather(-1, pick)).squeeze(-1).cpu().data<long>().ToArray();
    }

    /// <summary>
    /// The likeliest tokens in descending order, enough of them to hold top_p of the mass: the top
    /// <see cref="NucleusCandidates"/> when they hold more than top_p in every row (a peaked model, nearly always), so
    /// no full sort of a 150k vocabulary is needed; otherwise the whole vocabulary sorted.
    /// </summary>
    static (Tensor Values, Tensor Order) Nucleus(Tensor scores, long vocab, double topP)
    {
        if (vocab > NucleusCandidates)
        {
            var (values, order) = scores.topk(NucleusCandidates, -1);
            var mass = scores.softmax(-1).gather(-1, order).sum(-1);
            if (mass.gt(topP).all().item<bool>()) return (values, order);
        }
        return scores.sort(-1, descending: true);
    }
}
