using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>The transformer body: `embed_tokens`, `layers.N`, `norm`.</summary>
public sealed class DecoderModel : nn.Module
{
    public readonly TokenEmbedding embed_tokens;
    public readonly ModuleList<DecoderLayer> layers;
    public readonly RmsNorm norm;

    public DecoderModel(string name, IWeightSource source, ModelConfig c) : base(name)
    {
        embed_tokens = new TokenEmbedding($"{name}.embed_tokens", source, c.VocabSize, c.HiddenSize);
        layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, c.NumLayers).Select(i => new DecoderLayer($"{name}.layers.{i}", i, source, c)).ToArray());
        norm = new RmsNorm($"{name}.norm", source, c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }
}

/// <summary>
/// A Llama / Qwen2 / Qwen3 causal language model whose parameter names are the Hugging Face state-dict keys
/// (`model.layers.0.self_attn.q_proj.weight`, `lm_head.weight`). With tied embeddings there is no lm_head: the
/// output projection is the embedding table itself, one shared Parameter.
/// </summary>
public sealed class CausalLM : nn.Module
{
    public readonly DecoderModel model;
    public readonly Projection? lm_head;
    readonly Tensor _inverseFrequencies;

    public ModelConfig Config { get; }
    public ScalarType Dtype { get; }
    public Device Device { get; }

    public CausalLM(ModelConfig config, IWeightSource source, ScalarType dtype, Device device) : base("CausalLM")
    {
        Config = config;
        Dtype = dtype;
        Device = device;
        model = new DecoderModel("model", source, config);
        if (!config.TieWordEmbeddings) lm_head = new Projection("lm_head", source, config.HiddenSize, config.VocabSize, false);
        RegisterComponents();
        // Created after registration so it stays a plain tensor (RegisterComponents would make it a buffer and save it).
        _inverseFrequencies = tensor(RotaryEmbedding.InverseFrequencies(config).Select(f => (float)f).ToArray(), device: device);
        Native.FreedMemory.Trim(); // building freed large temporaries (fp32 draws, quantized projections' originals)
    }

    /// <summary>Hidden states after the final norm, [batch, seq, hidden].</summary>
    public Tensor Hidden(Tensor inputIds, Tensor positions, Tensor? mask, KvCache? cache = null, int offset = 0)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = Rotary(positions);
        var h = Embed(inputIds);
        foreach (var layer in model.layers) h = layer.Forward(h, cos, sin, mask, cache, offset);
        return model.norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Token embeddings in the compute dtype (the table itself may be stored in fp32 as a master weight).</summary>
    public Tensor Embed(Tensor inputIds) => Precision.Cast(model.embed_tokens.forward(inputIds), Dtype);

    /// <summary>RoPE cos and sin for these positions, in the compute dtype.</summary>
    public (Tensor Cos, Tensor Sin) Rotary(Tensor positions) => RotaryEmbedding.For(positions, _inverseFrequencies, Dtype);

    /// <summary>The output projection's weight: lm_head, or the embedding table when they are tied.</summary>
    public Tensor HeadWeight => lm_head?.weight ?? model.embed_tokens.weight;

    public Tensor Logits(Tensor hidden)
    {
        var head = Precision.Cast(HeadWeight, hidden.dtype);
        return SmallBatchLinear.Applies(hidden, head) ? SmallBatchLinear.Forward(hidden, head) : nn.functional.linear(hidden, head);
    }

    /// <summary>Logits for a batch of (right- or left-) padded sequences with no cache: [batch, seq, vocab].</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        return Logits(Hidden(inputIds, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>Hidden states after the final norm for a padded batch with no cache.</summary>
    public Tensor Hidden(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var scope = NewDisposeScope();
        attentionMask ??= ones_like(inputIds);
        var positions = AttentionMasks.Positions(attentionMask);
        return Hidden(inputIds, positions, AttentionMasks.CausalUnlessUnpadded(attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>Every parameter by its Hugging Face key, as a checkpoint stores them.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors() =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter));

    /// <summary>Builds the model from a Hugging Face folder: every expected tensor must be there with its exact shape.</summary>
    public static CausalLM Load(string modelDirectory, ScalarType? dtype = null, Device? device = null)
    {
        device ??= Native.TorchRuntime.Info.Device;
        var chosen = dtype ?? DefaultDtype(ModelConfig.Load(modelDirectory), device);
        return Load(modelDirectory, _ => new WeightStorage(chosen), device);
    }

    /// <summary>
    /// Builds the model with a storage rule chosen from the checkpoint's tensor names (fp32 master weights for
    /// what trains, quantized projections for QLoRA); the compute dtype is the rule's dtype.
    /// </summary>
    public static CausalLM Load(string modelDirectory, Func<IReadOnlyCollection<string>, WeightStorage> storageFor, Device? device = null)
    {
        var config = ModelConfig.Load(modelDirectory);
        device ??= Native.TorchRuntime.Info.Device;
        using var weights = new ModelWeights(modelDirectory);
        var storage = storageFor(weights.Names);
        var model = new CausalLM(config, new CheckpointWeights(weights, storage, device), storage.Dtype, device);
        // Checkpoints of tied models sometimes also carry lm_head.weight; anything else unused is a mismatch.
        var extra = weights.Untaken.Where(n => !(config.TieWordEmbeddings && n == "lm_head.weight") && !n.EndsWith("rotary_emb.inv_freq")).ToList();
        if (extra.Count > 0)
        {
            model.Dispose();
            throw new ModelFileException($"The weights in {modelDirectory} contain {extra.Count} tensor(s) this {config.Architecture} does not use, first {extra[0]}; config.json and the weights disagree.");
        }
        return model;
    }

    /// <summary>
    /// bf16 on CUDA when the checkpoint is bf16; fp32 on the CPU unless a run asks for bf16 (inference there keeps
    /// fp32 so tests compare to fp32 references).
    /// </summary>
    public static ScalarType DefaultDtype(ModelConfig config, Device device) =>
        device.type == DeviceType.CUDA && config.TorchDtype is "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>True when any projection keeps its base weight quantized (QLoRA): such a model cannot be merged into.</summary>
    public bool IsQuantized => modules().OfType<Projection>().Any(p => p.IsQuantized);
}
