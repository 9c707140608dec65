using PgxStudio.Engine.Quantization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Where a model's tensors come from while it is built: a checkpoint (every tensor read once, shape-checked) or
/// a seeded random initialisation. Modules ask for each tensor by its Hugging Face name, so building a model
/// allocates only the tensors it keeps, and names can never drift from the checkpoint's keys.
/// </summary>
public interface IWeightSource
{
    Tensor Get(string name, long[] shape, WeightRole role);

    /// <summary>How to store a projection's weight quantized (QLoRA), or null to keep it as a plain tensor.</summary>
    QuantizationSettings? QuantizationFor(string name) => null;
}

public enum WeightRole { Matrix, Embedding, Norm, Bias }

/// <summary>
/// The dtype each weight is stored in and which projections are quantized: one dtype for every tensor unless a
/// rule keeps some in fp32 (trainable master weights) or quantizes the projections (never lm_head, as
/// bitsandbytes under transformers leaves the output layer alone).
/// </summary>
public sealed record WeightStorage(ScalarType Dtype, Func<string, bool>? KeepInFloat32 = null, QuantizationSettings? Quantization = null)
{
    public ScalarType DtypeOf(string name) => KeepInFloat32?.Invoke(name) == true ? ScalarType.Float32 : Dtype;

    public QuantizationSettings? QuantizationFor(string name) =>
        Quantization is not null && name != "lm_head.weight" && KeepInFloat32?.Invoke(name) != true ? Quantization : null;
}

/// <summary>Tensors from safetensors files, converted to their storage dtype on the model's device.</summary>
public sealed class CheckpointWeights(ModelWeights weights, WeightStorage storage, Device device) : IWeightSource
{
    public CheckpointWeights(ModelWeights weights, ScalarType dtype, Device device) : this(weights, new WeightStorage(dtype), device) { }

    public Tensor Get(string name, long[] shape, WeightRole role)
    {
        using var loaded = weights.Take(name, shape);
        return loaded.to(storage.DtypeOf(name), device);
    }

    public QuantizationSettings? QuantizationFor(string name) => storage.QuantizationFor(name);
}

/// <summary>HF-style initialisation: normal(0, 0.02) matrices and embeddings, ones for norms, zeros for biases.</summary>
public sealed class RandomWeights(long seed, WeightStorage storage, Device device, double std = 0.02) : IWeightSource
{
    readonly Generator _generator = new Generator((ulong)seed);

    public RandomWeights(long seed, ScalarType dtype, Device device, double std = 0.02) : this(seed, new WeightStorage(dtype), device, std) { }

    public Tensor Get(string name, long[] shape, WeightRole role) => role switch
    {
        WeightRole.Norm => ones(shape, storage.DtypeOf(name), device),
        WeightRole.Bias => zeros(shape, storage.DtypeOf(name), device),
        _ => Normal(shape, storage.DtypeOf(name)),
    };

    /// <summary>
    /// Drawn in fp32 a few million values at a time, so a bf16 table never exists in fp32 whole (a 152k-token
    /// embedding would briefly double the memory a run measures) and bf16 and fp32 models start from the same values.
    /// </summary>
    Tensor Normal(long[] shape, ScalarType dtype)
    {
        var result = empty(shape, dtype, device);
        // A view's handle keeps the storage alive: disposed here, or a weight that is quantized and dropped would stay.
        using var rows = result.view(shape[0], -1);
        long step = Math.Max(1, (4L << 20) / Math.Max(1, rows.shape[1]));
        for (long start = 0; start < shape[0]; start += step)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(step, shape[0] - start);
            // Drawn on the CPU, where the generator is. normal_ takes mean and std as doubles: no temporary Scalar
            // objects, whose finalizer can free one while libtorch still reads it (seen once as "Unknown scalar type").
            using var draw = empty([count, rows.shape[1]], ScalarType.Float32).normal_(0, std, _generator);
            rows.narrow(0, start, count).copy_(draw);
        }
        return result;
    }

    public QuantizationSettings? QuantizationFor(string name) => storage.QuantizationFor(name);
}
