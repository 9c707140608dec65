using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// The standard language-model score of a text: the mean negative log-likelihood of each token given its prefix
/// (no template, no special tokens added), and its exponential, the perplexity.
/// </summary>
public static class Perplexity
{
    public sealed record LineScore(int Tokens, double MeanNll)
    {
        public double Perplexity => Math.Exp(MeanNll);
    }

    /// <summary>Scores one token sequence; a sequence of fewer than two tokens has nothing to predict.</summary>
    public static LineScore Score(CausalLM model, IReadOnlyList<int> ids)
    {
        if (ids.Count < 2) return new LineScore(ids.Count, double.NaN);
        if (ids.Count > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"A line of {ids.Count} tokens is longer than the model's context of {model.Config.MaxPositionEmbeddings}.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count], device: model.Device);
        var nll = Training.NextTokenLoss.Compute(model.Forward(input), input);
        return new LineScore(ids.Count, nll.item<float>());
    }

    /// <summary>Token-weighted mean NLL over lines, and its perplexity.</summary>
    public static (double MeanNll, double Perplexity, int PredictedTokens) Overall(IEnumerable<LineScore> lines)
    {
        double total = 0;
        int count = 0;
        foreach (var line in lines.Where(l => l.Tokens >= 2))
        {
            total += line.MeanNll * (line.Tokens - 1);
            count += line.Tokens - 1;
        }
        double mean = count == 0 ? double.NaN : total / count;
        return (mean, Math.Exp(mean), count);
    }
}
