using System.Diagnostics;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Benchmarks;

/// <summary>Training speed of a model shape (random tokens, AdamW), and the FLOPs one trained token costs.</summary>
public static class TrainingThroughput
{
    /// <summary>
    /// Model FLOPs per trained token: forward 2N, backward 4N for full fine-tuning but only 2N for LoRA (no base
    /// weight gradients), plus causal attention (2·L·T·heads·head_dim forward, three times that in total).
    /// </summary>
    public static double FlopsPerToken(ModelConfig c, int sequence, bool lora) =>
        (lora ? 4.0 : 6.0) * ModelThroughput.MatmulParameters(c) + 3 * 2.0 * c.NumLayers * sequence * c.NumHeads * c.HeadDim;

    public static double TokensPerSecond(CausalLM model, bool lora, int rank, int batch, int sequence, int steps)
    {
        foreach (var p in model.parameters()) p.requires_grad = !lora;
        if (lora) LoraAdapter.Attach(model, new LoraSettings(rank, rank * 2, 0, LoraSettings.AllLinear), 1);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var optimizer = optim.AdamW(trainable, 1e-4);
        model.train();
        void Step()
        {
            using var scope = NewDisposeScope();
            var ids = randint(0, model.Config.VocabSize, [batch, sequence], device: model.Device);
            var loss = Training.NextTokenLoss.Compute(model.Forward(ids), ids);
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
        Step(); // warm-up: allocations, optimizer state
        MachineLimits.Synchronize(model.Device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        MachineLimits.Synchronize(model.Device);
        return (double)batch * sequence * steps / clock.Elapsed.TotalSeconds;
    }
}
