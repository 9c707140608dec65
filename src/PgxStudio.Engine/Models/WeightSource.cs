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
}

public enum WeightRole { Matrix, Embedding, Norm, Bias }

/// <summary>Tensors from safetensors files, converted to the model's dtype and device.</summary>
public sealed class CheckpointWeights(ModelWeights weights, ScalarType dtype, Device device) : IWeightSource
{
    public Tensor Get(string name, long[] shape, WeightRole role)
    {
        using var loaded = weights.Take(name, shape);
        return loaded.to(dtype, device);
    }
}

/// <summary>HF-style initialisation: normal(0, 0.02) matrices and embeddings, ones for norms, zeros for biases.</summary>
public sealed class RandomWeights(long seed, ScalarType dtype, Device device, double std = 0.02) : IWeightSource
{
    readonly Generator _generator = new Generator((ulong)seed);

    public Tensor Get(string name, long[] shape, WeightRole role) => role switch
    {
        WeightRole.Norm => ones(shape, dtype, device),
        WeightRole.Bias => zeros(shape, dtype, device),
        _ => normal(0, std, shape, generator: _generator).to(dtype, device),
    };
}
