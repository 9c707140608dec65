using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>
/// One micro-batch's forward and backward. With gradient checkpointing (LLaMA-Factory's default) the forward pass
/// keeps only each decoder layer's input; the backward pass then walks the layers from the top, recomputing one
/// layer with gradients at a time and handing its input gradient down, as torch.utils.checkpoint does per layer.
/// Activations then cost one [batch, seq, hidden] tensor per layer plus one layer's internals, instead of every
/// layer's internals. The loss is always the chunked one (<see cref="ChunkedNextTokenLoss"/>), unless
/// <paramref name="lossChunk"/> is 0, which materialises the whole logits as the engine once did (benchmarks only).
/// </summary>
/// <param name="dropoutSeed">
/// Set when LoRA dropout is on: each layer reseeds the random generator before its forward, so the recomputed
/// forward draws the same dropout masks as the first one (and a resumed run draws the same ones again).
/// </param>
public sealed class TrainingStep(CausalLM model, bool checkpointing, int lossChunk, long? dropoutSeed = null)
{
    readonly int _chunk = lossChunk;

    public static TrainingStep For(CausalLM model, TrainingArguments args, double loraDropout) =>
        new(model, !args.DisableGradientCheckpointing, ChunkedNextTokenLoss.ChunkFor(model.Config.VocabSize),
            args.FinetuningType == "lora" && loraDropout > 0 ? args.Seed : null);

    /// <summary>Accumulates the gradients of <paramref name="scale"/> × loss and returns the (unscaled) loss.</summary>
    /// <param name="step">The optimizer step and micro-batch, which seed LoRA dropout under checkpointing.</param>
    public double Run(Tensor inputIds, Tensor attentionMask, Tensor labels, double scale, int step = 0, int micro = 0)
    {
        using var scope = NewDisposeScope();
        if (_chunk == 0)
        {
            var loss = NextTokenLoss.Compute(model.Forward(inputIds, attentionMask), labels);
            (loss * scale).backward();
            return loss.item<float>();
        }
        if (!checkpointing)
            return ChunkedNextTokenLoss.Backward(model.Hidden(inputIds, attentionMask), model.HeadWeight, labels, scale, _chunk);
        return Checkpointed(inputIds, attentionMask, labels, scale, step, micro);
    }

    double Checkpointed(Tensor inputIds, Tensor attentionMask, Tensor labels, double scale, int step, int micro)
    {
        var positions = AttentionMasks.Positions(attentionMask);
        var mask = AttentionMasks.CausalUnlessUnpadded(attentionMask);
        var (cos, sin) = model.Rotary(positions);
        var layers = model.model.layers;
        var inputs = new Tensor[layers.Count];
        Tensor h;
        using (no_grad())
        {
            h = model.Embed(inputIds);
            for (int i = 0; i < layers.Count; i++)
            {
                inputs[i] = h;
                Reseed(step, micro, i);
                h = layers[i].Forward(h, cos, sin, mask, null, 0);
            }
        }
        // Checkpointing trades time for memory, and on the CPU glibc's heap would keep what the layers freed (2 GB
        // over the plan at 28 layers × 1,024 tokens, fp32): the pages go back after the forward, and during the
        // backward as LayerTrims decides.
        FreedMemory.Trim();
        var trims = new LayerTrims();

        var top = h.requires_grad_(true);
        double loss = ChunkedNextTokenLoss.Backward(model.model.norm.forward(top), model.HeadWeight, labels, scale, _chunk);
        // Layers below the lowest trainable one need no backward at all (freeze tuning of the last layers).
        bool embeddingTrains = model.model.embed_tokens.weight.requires_grad;
        int lowest = embeddingTrains ? 0 : LowestTrainableLayer();
        var gradient = top.grad?.DetachFromDisposeScope();
        for (int i = layers.Count - 1; i >= lowest && gradient is not null; i--)
        {
            Tensor? below;
            using (NewDisposeScope())
            {
                var input = inputs[i].requires_grad_(true);
                Reseed(step, micro, i);
                layers[i].Recompute(input, cos, sin, mask).backward([gradient]);
                below = i > lowest || embeddingTrains ? input.grad?.DetachFromDisposeScope() : null;
            }
            gradient.Dispose();
            inputs[i].Dispose();
            gradient = below;
            trims.AfterLayer();
        }
        if (gradient is not null)
        {
            if (embeddingTrains) model.Embed(inputIds).backward([gradient]);
            gradient.Dispose();
        }
        return loss;
    }

    int LowestTrainableLayer()
    {
        var layers = model.model.layers;
        for (int i = 0; i < layers.Count; i++)
            if (layers[i].parameters().Any(p => p.requires_grad)) return i;
        return layers.Count;
    }

    void Reseed(int step, int micro, int layer)
    {
        if (dropoutSeed is { } seed) random.manual_seed(((seed * 1_000_003 + step) * 1_009 + micro) * 1_013 + layer);
    }
}
