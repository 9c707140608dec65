using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>Grouped-query self-attention with RoPE (and Qwen3's per-head q/k RMSNorm before it).</summary>
public sealed class Attention : nn.Module
{
    public readonly Projection q_proj, k_proj, v_proj, o_proj;
    public readonly RmsNorm? q_norm, k_norm;
    readonly ModelConfig _config;

    public Attention(string name, IWeightSource source, ModelConfig c) : base(name)
    {
        _config = c;
        long qOut = (long)c.NumHeads * c.HeadDim, kvOut = (long)c.NumKeyValueHeads * c.HeadDim;
        q_proj = new Projection($"{name}.q_proj", source, c.HiddenSize, qOut, c.AttentionBias);
        k_proj = new Projection($"{name}.k_proj", source, c.HiddenSize, kvOut, c.AttentionBias);
        v_proj = new Projection($"{name}.v_proj", source, c.HiddenSize, kvOut, c.AttentionBias);
        o_proj = new Projection($"{name}.o_proj", source, qOut, c.HiddenSize, false);
        if (c.QkNorm)
        {
            q_norm = new RmsNorm($"{name}.q_norm", source, c.HeadDim, c.RmsNormEps);
            k_norm = new RmsNorm($"{name}.k_norm", source, c.HeadDim, c.RmsNormEps);
        }
        RegisterComponents();
    }

    /// <param name="mask">
    /// Boolean [batch, 1, seq, total], true where a query may attend to a key; null for plain causal attention over
    /// this call's own tokens: no padding before a real token, and no earlier keys (no cache, or an empty one at
    /// offset 0). See <see cref="AttentionMasks.CausalUnlessUnpadded"/> and the serving scheduler's prefill.
    /// </param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache, int layer, int offset)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], s = x.shape[1];
        var q = q_proj.forward(x).view(b, s, _config.NumHeads, _config.HeadDim);
        var k = k_proj.forward(x).view(b, s, _config.NumKeyValueHeads, _config.HeadDim);
        var v = v_proj.forward(x).view(b, s, _config.NumKeyValueHeads, _config.HeadDim).transpose(1, 2);
        if (q_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm!.forward(k);
        }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, offset, k, v);
        int groups = _config.NumHeads / _config.NumKeyValueHeads;
        var attended = cache?.Attend(layer, q) ?? (mask is null ? Causal(q, k, v, groups)
            : groups == 1 ? nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, false)
            : Grouped(q, k, v, mask, groups));
        return o_proj.forward(attended.transpose(1, 2).reshape(b, s, -1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Plain causal attention (unpadded training rows, a right-padded prefill): the kernel's own causal mask, with which
    /// libtorch skips the keys above the diagonal instead of reading a mask for them. It needs one key/value head per
    /// query head, so grouped keys and values are repeated (query head h = kv·G + g).
    /// </summary>
    static Tensor Causal(Tensor q, Tensor k, Tensor v, int groups)
    {
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, 1);
            v = v.repeat_interleave(groups, 1);
        }
        return nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true);
    }

    /// <summary>
    /// Grouped-query attention without copying the keys and values once per query head (repeat_interleave copied
    /// the whole cache every step): the G query heads that share a key/value head become G·s query rows of it.
    /// </summary>
    static Tensor Grouped(Tensor q, Tensor k, Tensor v, Tensor mask, int groups)
    {
        long b = q.shape[0], heads = q.shape[1], s = q.shape[2], d = q.shape[3];
        var rows = q.reshape(b, heads / groups, groups * s, d);            // query head h = kv·G + g → row g·s + i
        var rowMask = s == 1 ? mask : mask.repeat(1, 1, groups, 1);         // [batch, 1, G·s, keys]
        return nn.functional.scaled_dot_product_attention(rows, k, v, rowMask, 0.0, false).reshape(b, heads, s, d);
    }
}

/// <summary>The SwiGLU feed-forward block.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public readonly Projection gate_proj, up_proj, down_proj;

    public Mlp(string name, IWeightSource source, ModelConfig c) : base(name)
    {
        gate_proj = new Projection($"{name}.gate_proj", source, c.HiddenSize, c.IntermediateSize, false);
        up_proj = new Projection($"{name}.up_proj", source, c.HiddenSize, c.IntermediateSize, false);
        down_proj = new Projection($"{name}.down_proj", source, c.IntermediateSize, c.HiddenSize, false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.forward(nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x)).MoveToOuterDisposeScope();
    }

    /// <summary>The block when only its output's gradient is wanted: down_proj feeds nothing else.</summary>
    public Tensor ForGradientOnly(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.ForGradientOnly(nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>One pre-norm transformer block.</summary>
public sealed class DecoderLayer : nn.Module
{
    public readonly Attention self_attn;
    public readonly Mlp mlp;
    public readonly RmsNorm input_layernorm, post_attention_layernorm;
    readonly int _index;

    public DecoderLayer(string name, int index, IWeightSource source, ModelConfig c) : base(name)
    {
        _index = index;
        self_attn = new Attention($"{name}.self_attn", source, c);
        mlp = new Mlp($"{name}.mlp", source, c);
        input_layernorm = new RmsNorm($"{name}.input_layernorm", source, c.HiddenSize, c.RmsNormEps);
        post_attention_layernorm = new RmsNorm($"{name}.post_attention_layernorm", source, c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache, int offset)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache, _index, offset);
        return (h + mlp.forward(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The layer recomputed for the checkpointed backward: the output's values are never read, only differentiated,
    /// so the MLP's last product is skipped (<see cref="Mlp.ForGradientOnly"/>); its gradients equal Forward's.
    /// </summary>
    public Tensor Recompute(Tensor x, Tensor cos, Tensor sin, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, null, _index, 0);
        return (h + mlp.ForGradientOnly(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
    }
}
