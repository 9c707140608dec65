using System.Diagnostics;
using PgxStudio.Engine.Inference;
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

    /// <summary>One batch through the serving scheduler: its decode rate, and the whole run's with the prefill.</summary>
    /// <param name="TokensPerSecond">New tokens per second once every sequence has its first token (the decode steps alone).</param>
    /// <param name="PrefillSeconds">From the start until every sequence has its first token (one batched prefill).</param>
    /// <param name="EndToEndTokensPerSecond">Every new token, the first included, over the whole run: what a served batch that arrives together gets, without HTTP.</param>
    public sealed record Generation(double TokensPerSecond, double PrefillSeconds, double EndToEndTokensPerSecond);

    /// <summary>
    /// `batch` sequences with prompts of `promptLength` random tokens run through the continuous-batching scheduler
    /// (KV slots, masks, greedy sampling, streaming) exactly as `pgx serve` runs them, queued before it starts so
    /// they share one prefill; then `steps` decode steps.
    /// </summary>
    public static Generation Generate(CausalLM model, int batch, int promptLength, int steps)
    {
        using var scheduler = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = batch, MaxModelLen = promptLength + steps + 1 }, start: false);
        var random = new Random(1);
        var options = new GenerationOptions { DoSample = false, MaxNewTokens = steps + 1 };
        var streams = Enumerable.Range(0, batch)
            .Select(_ => scheduler.GenerateAsync(Enumerable.Range(0, promptLength).Select(_ => random.Next(model.Config.VocabSize)).ToList(), options).GetAsyncEnumerator())
            .ToList();
        var first = streams.Select(s => s.MoveNextAsync().AsTask()).ToList();
        var whole = Stopwatch.StartNew();
        scheduler.Start();
        Task.WaitAll(first);
        double prefill = whole.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        long tokens = Task.WhenAll(streams.Select(async s =>
        {
            int n = 0;
            while (await s.MoveNextAsync()) n++;
            await s.DisposeAsync();
            return n;
        })).Result.Sum();
        return new Generation(tokens / clock.Elapsed.TotalSeconds, prefill, (tokens + batch) / whole.Elapsed.TotalSeconds);
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
