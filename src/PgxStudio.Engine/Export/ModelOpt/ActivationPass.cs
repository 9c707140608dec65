using PgxStudio.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// The model's forward pass written out layer by layer so that the input of every linear projection can be seen
/// (and, to emulate activation quantization, replaced) on its way in: the calibration pass ModelOpt runs with its
/// input quantizers in calibration mode. It uses the model's own modules; a test holds its logits equal to
/// <see cref="CausalLM.Forward"/>, so it cannot drift from the model unnoticed.
/// </summary>
public static class ActivationPass
{
    /// <param name="input">Called with a projection's name (its Hugging Face path, e.g. model.layers.0.self_attn.q_proj)
    /// and its input; returns the tensor the projection then reads.</param>
    public static Tensor Logits(CausalLM model, Tensor ids, Func<string, Tensor, Tensor> input)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.Logits(Hidden(model, ids, input)).MoveToOuterDisposeScope();
    }

    /// <summary>The final norm's output: the pass without the output head, which calibration does not need.</summary>
    public static Tensor Hidden(CausalLM model, Tensor ids, Func<string, Tensor, Tensor> input)
    {
        var c = model.Config;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var attentionMask = ones_like(ids);
        var positions = AttentionMasks.Positions(attentionMask);
        var mask = AttentionMasks.Causal(attentionMask, ids.shape[1], 0);
        var inverse = tensor(RotaryEmbedding.InverseFrequencies(c).Select(f => (float)f).ToArray(), device: model.Device);
        var (cos, sin) = RotaryEmbedding.For(positions, inverse, model.Dtype);
        long b = ids.shape[0], s = ids.shape[1];

        var h = model.model.embed_tokens.forward(ids);
        for (int i = 0; i < c.NumLayers; i++)
        {
            var layer = model.model.layers[i];
            var attention = layer.self_attn;
            string prefix = $"model.layers.{i}.";
            var x = layer.input_layernorm.forward(h);
            var q = attention.q_proj.forward(input(prefix + "self_attn.q_proj", x)).view(b, s, c.NumHeads, c.HeadDim);
            var k = attention.k_proj.forward(input(prefix + "self_attn.k_proj", x)).view(b, s, c.NumKeyValueHeads, c.HeadDim);
            var v = attention.v_proj.forward(input(prefix + "self_attn.v_proj", x)).view(b, s, c.NumKeyValueHeads, c.HeadDim).transpose(1, 2);
            if (attention.q_norm is not null)
            {
                q = attention.q_norm.forward(q);
                k = attention.k_norm!.forward(k);
            }
            q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);
            k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);
            int groups = c.NumHeads / c.NumKeyValueHeads;
            if (groups > 1)
            {
                k = k.repeat_interleave(groups, dim: 1);
                v = v.repeat_interleave(groups, dim: 1);
            }
            var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, false).transpose(1, 2).reshape(b, s, -1);
            h = h + attention.o_proj.forward(input(prefix + "self_attn.o_proj", attended));

            var mlp = layer.mlp;
            var y = layer.post_attention_layernorm.forward(h);
            var gated = nn.functional.silu(mlp.gate_proj.forward(input(prefix + "mlp.gate_proj", y))) * mlp.up_proj.forward(input(prefix + "mlp.up_proj", y));
            h = h + mlp.down_proj.forward(input(prefix + "mlp.down_proj", gated));
        }
        return model.model.norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>The largest input magnitude each projection sees over the samples (ModelOpt's "max" calibration).</summary>
    public static Dictionary<string, float> InputAmax(CausalLM model, IReadOnlyList<IReadOnlyList<int>> samples,
        Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        var amax = new Dictionary<string, float>();
        for (int n = 0; n < samples.Count; n++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var ids = tensor(samples[n].Select(i => (long)i).ToArray(), [1, samples[n].Count], device: model.Device);
            Hidden(model, ids, (name, x) =>
            {
                float m = x.abs().max().to(ScalarType.Float32).item<float>();
                amax[name] = Math.Max(amax.GetValueOrDefault(name), m);
                return x;
            });
            progress?.Invoke(n + 1, samples.Count);
        }
        return amax;
    }
}
