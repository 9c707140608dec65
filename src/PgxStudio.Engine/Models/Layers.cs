using TorchSharp;
using TorchSharp.Modules;
using PgxStudio.Engine.Quantization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// A linear projection that owns `weight` (and `bias`) under its Hugging Face name. LoRA lives inside it
/// (`lora_A.weight`, `lora_B.weight`), so attaching an adapter never renames the base weights. For QLoRA the base
/// weight is kept quantized instead (bitsandbytes' layout, like its Linear4bit under PEFT) and <see cref="weight"/>
/// is null: the full-precision matrix exists only transiently inside forward and backward.
/// </summary>
public class Projection : nn.Module<Tensor, Tensor>
{
    public readonly Parameter? weight;
    public readonly Parameter? bias;
    readonly QuantizedWeight? _quantized;
    readonly long _inFeatures, _outFeatures;
    Peft.LoraMatrix? _loraA, _loraB;
    double _loraScale;
    nn.Module<Tensor, Tensor>? _loraDropout;

    public bool HasLora => _loraA is not null;
    public Peft.LoraMatrix? LoraA => _loraA;
    public Peft.LoraMatrix? LoraB => _loraB;
    public double LoraScale => _loraScale;
    public bool IsQuantized => _quantized is not null;
    public QuantizedWeight? Quantized => _quantized;

    /// <summary>Adds low-rank matrices A [r, in] and B [out, r]; output += dropout(x) Aᵀ Bᵀ · alpha / r.</summary>
    public void AttachLora(Tensor a, Tensor b, double alpha, double dropout)
    {
        if (HasLora) throw new InvalidOperationException($"{GetName()} already has a LoRA adapter.");
        _loraScale = alpha / a.shape[0]; // read before the Parameters take over the tensors' handles
        _loraA = new Peft.LoraMatrix(a);
        _loraB = new Peft.LoraMatrix(b);
        _loraDropout = dropout > 0 ? nn.Dropout(dropout) : null;
        register_module("lora_A", _loraA);
        register_module("lora_B", _loraB);
    }

    public Projection(string name, IWeightSource source, long inFeatures, long outFeatures, bool hasBias) : base(name)
    {
        _inFeatures = inFeatures;
        _outFeatures = outFeatures;
        var key = name + ".weight";
        if (source.QuantizationFor(key) is { } quantization)
        {
            using (var full = source.Get(key, [outFeatures, inFeatures], WeightRole.Matrix))
                _quantized = QuantizedWeight.Quantize(full, quantization);
            // The full-precision original goes back to the system now, not once the model is built: glibc's heap
            // would otherwise keep every freed original, and a QLoRA load would peak at the unquantized model's size.
            Native.FreedMemory.Trim();
        }
        else
            weight = new Parameter(source.Get(key, [outFeatures, inFeatures], WeightRole.Matrix), requires_grad: false);
        if (hasBias) bias = new Parameter(source.Get(name + ".bias", [outFeatures], WeightRole.Bias), requires_grad: false);
        RegisterComponents();
    }

    public long InFeatures => _inFeatures;
    public long OutFeatures => _outFeatures;

    public override Tensor forward(Tensor x)
    {
        var y = _quantized is not null
            ? QuantizedLinear.Apply(x, _quantized, bias is null ? null : Precision.Cast(bias, x.dtype))
            : Linear(x, Precision.Cast(weight!, x.dtype), bias is null ? null : Precision.Cast(bias, x.dtype));
        return WithLora(x, y);
    }

    /// <summary>
    /// This projection where only gradients will be read from its output, never its values (a checkpointed layer's
    /// recompute): a frozen base skips its product (<see cref="GradientOnlyLinear"/>); LoRA runs as in forward.
    /// </summary>
    public Tensor ForGradientOnly(Tensor x)
    {
        bool frozen = (weight is null or { requires_grad: false }) && (bias is null or { requires_grad: false });
        return frozen ? WithLora(x, GradientOnlyLinear.Apply(x, this)) : forward(x);
    }

    /// <summary>The gradient of x·Wᵀ with respect to x, for the frozen base W.</summary>
    internal Tensor InputGradient(Tensor gradOutput, ScalarType dtype)
    {
        if (_quantized is not null) return QuantizedLinear.InputGradient(gradOutput, _quantized, dtype);
        var w = Precision.Cast(weight!, dtype);
        try { return gradOutput.matmul(w); }
        finally { if (!ReferenceEquals(w, weight)) w.Dispose(); }
    }

    Tensor WithLora(Tensor x, Tensor y)
    {
        if (_loraA is null) return y;
        using var scope = NewDisposeScope();
        var input = _loraDropout is not null && training ? _loraDropout.forward(x) : x;
        // As under PyTorch's autocast: the small fp32 matrices are cast to the activations' dtype, not the
        // [tokens × hidden] activations to fp32; gradients still reach the fp32 matrices through the cast.
        var delta = nn.functional.linear(nn.functional.linear(input, Precision.Cast(_loraA.weight, x.dtype)), Precision.Cast(_loraB!.weight, x.dtype)) * _loraScale;
        return y.add_(delta).MoveToOuterDisposeScope();
    }

    /// <summary>A few rows without gradients (decoding) read the weights once for all rows; the rest is libtorch's.</summary>
    static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) =>
        SmallBatchLinear.Applies(x, weight) ? SmallBatchLinear.Forward(x, weight, bias) : nn.functional.linear(x, weight, bias);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _quantized?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Root-mean-square norm computed in float32, as Hugging Face's Llama/Qwen RMSNorm does.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    readonly double _eps;

    public RmsNorm(string name, IWeightSource source, long size, double eps) : base(name)
    {
        weight = new Parameter(source.Get(name + ".weight", [size], WeightRole.Norm), requires_grad: false);
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (FusedRmsNorm.Applies(x, weight)) return FusedRmsNorm.Forward(x, weight, _eps);
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1], keepdim: true) + _eps);
        return (Precision.Cast(weight, x.dtype) * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}

/// <summary>The token embedding table (`embed_tokens.weight`).</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;

    public TokenEmbedding(string name, IWeightSource source, long vocab, long hidden) : base(name)
    {
        weight = new Parameter(source.Get(name + ".weight", [vocab, hidden], WeightRole.Embedding), requires_grad: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids) => weight.index_select(0, ids.reshape(-1)).view([.. ids.shape, weight.shape[1]]);
}
