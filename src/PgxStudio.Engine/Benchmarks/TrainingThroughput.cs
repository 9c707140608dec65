using System.Diagnostics;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Benchmarks;

/// <summary>
/// Training speed of a model shape with random weights and random tokens, trained as a run with these arguments
/// would be (precision, QLoRA, checkpointing, chunked loss, AdamW), and the FLOPs one trained token costs.
/// </summary>
public static class TrainingThroughput
{
    /// <summary>
    /// Model FLOPs per trained token: forward 2N, backward 4N for full fine-tuning but only 2N for LoRA (no base
    /// weight gradients), plus causal attention (2·L·T·heads·head_dim forward, three times that in total). The
    /// forward that checkpointing recomputes is not counted, as MFU counts the model's work, not the machine's.
    /// </summary>
    public static double FlopsPerToken(ModelConfig c, int sequence, bool lora) =>
        (lora ? 4.0 : 6.0) * ModelThroughput.MatmulParameters(c) + 3 * 2.0 * c.NumLayers * sequence * c.NumHeads * c.HeadDim;

    public sealed record Measurement(double TokensPerSecond, IReadOnlyList<double> Losses);

    /// <summary>
    /// One warm-up step, then <paramref name="steps"/> timed optimizer steps of batch × cutoff_len random tokens.
    /// <paramref name="lossChunk"/> 0 computes the loss from the whole logits, as the engine did before chunking.
    /// </summary>
    public static Measurement Measure(ModelConfig config, TrainingArguments args, int steps, Device device, int? lossChunk = null)
    {
        random.manual_seed(args.Seed);
        var storage = TrainingPrecision.Storage(args, config, device, []);
        using var model = new CausalLM(config, new RandomWeights(1, storage, device), storage.Dtype, device);
        bool lora = args.FinetuningType == "lora";
        foreach (var p in model.parameters()) p.requires_grad = !lora;
        if (lora) LoraAdapter.Attach(model, new LoraSettings(args.LoraRank, args.EffectiveLoraAlpha, 0, LoraSettings.AllLinear), 1);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var optimizer = optim.AdamW(trainable, 1e-4);
        var step = new TrainingStep(model, !args.DisableGradientCheckpointing, lossChunk ?? ChunkedNextTokenLoss.ChunkFor(config.VocabSize));
        var generator = new Generator((ulong)args.Seed);
        int batch = args.PerDeviceTrainBatchSize, sequence = args.CutoffLen;
        model.train();
        var losses = new List<double>();
        void Step()
        {
            using var scope = NewDisposeScope();
            var ids = randint(0, config.VocabSize, [batch, sequence], generator: generator).to(device);
            losses.Add(step.Run(ids, ones_like(ids), ids, 1.0));
            optimizer.step();
            optimizer.zero_grad();
        }
        Step(); // warm-up: allocations, optimizer state
        MachineLimits.Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        MachineLimits.Synchronize(device);
        return new Measurement((double)batch * sequence * steps / clock.Elapsed.TotalSeconds, losses);
    }
}
