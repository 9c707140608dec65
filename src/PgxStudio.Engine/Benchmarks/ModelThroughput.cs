using System.Diagnostics;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Benchmarks;

/// <summary>Decode and prefill speed of a model, and the work they imply (bytes of weights, FLOPs).</summary>
public static class ModelThroughput
{
    public static long WeightBytes(CausalLM model) =>
        model.parameters().Sum(p => p.NumberOfElements * p.ElementSize);

    /// <summary>Matmul parameters a token passes through: every projection plus the output head (not the embedding lookup).</summary>
    public static long MatmulParameters(ModelConfig c)
    {
        long attention = (long)c.HiddenSize * c.HeadDim * (c.NumHeads * 2 + c.NumKeyValueHeads * 2);
        long mlp = 3L * c.HiddenSize * c.IntermediateSize;
        return c.NumLayers * (attention + mlp) + (long)c.VocabSize * c.HiddenSize;
    }

    /// <summary>Forward FLOPs of a sequence: 2·N per token for the matmuls plus 4·L·T²·(heads·head_dim)/2 for causal attention.</summary>
    public static double PrefillFlops(ModelConfig c, int tokens) =>
        2.0 * MatmulParameters(c) * tokens + 2.0 * c.NumLayers * (double)tokens * tokens * c.NumHeads * c.HeadDim;

    /// <summary>Tokens per second of decoding `steps` tokens per sequence after a prompt of `promptLength`.</summary>
    public static double DecodeTokensPerSecond(CausalLM model, int batch, int promptLength, int steps)
    {
        using var noGrad = no_grad();
        using var cache = new KvCache(model.Config, batch, promptLength + steps + 1, model.Dtype, model.Device);
        using var keyMask = ones([batch, promptLength + steps + 1], ScalarType.Int64, model.Device);
        using (var scope = NewDisposeScope())
        {
            var prompt = randint(0, model.Config.VocabSize, [batch, promptLength], device: model.Device);
            var positions = arange(0, promptLength, device: model.Device).unsqueeze(0).expand(batch, -1);
            model.Hidden(prompt, positions, AttentionMasks.Causal(keyMask.narrow(1, 0, promptLength), promptLength, 0), cache, 0);
        }
        MachineLimits.Synchronize(model.Device);
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            int offset = promptLength + step;
            var token = randint(0, model.Config.VocabSize, [batch, 1], device: model.Device);
            var position = full([batch, 1], offset, ScalarType.Int64, model.Device);
            var hidden = model.Hidden(token, position, AttentionMasks.Causal(keyMask.narrow(1, 0, offset + 1), 1, offset), cache, offset);
            model.Logits(hidden).argmax(-1).cpu();
        }
        return (double)batch * steps / clock.Elapsed.TotalSeconds;
    }

    public static double PrefillTokensPerSecond(CausalLM model, int batch, int tokens, int repeats = 3)
    {
        using var noGrad = no_grad();
        double best = double.MaxValue;
        for (int i = 0; i <= repeats; i++)
        {
            using var scope = NewDisposeScope();
            var input = randint(0, model.Config.VocabSize, [batch, tokens], device: model.Device);
            MachineLimits.Synchronize(model.Device);
            var clock = Stopwatch.StartNew();
            model.Forward(input).narrow(1, tokens - 1, 1).cpu();
            if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds); // the first pass warms up
        }
        return batch * tokens / best;
    }
}
