using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Preallocated keys and values for every layer ([batch, kv_heads, capacity, head_dim]); generation writes each
/// step's keys in place instead of concatenating. Not a module: it holds activations, not weights.
/// Every row of the batch is at the same position; <see cref="KvSlots"/> is the layout where each row has its own.
/// </summary>
public class KvCache : IDisposable
{
    readonly Tensor[] _keys;
    readonly Tensor[] _values;

    public KvCache(ModelConfig config, long batch, int capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        (_keys, _values) = Allocate(config, batch, capacity, dtype, device);
    }

    protected KvCache(int capacity)
    {
        Capacity = capacity;
        _keys = [];
        _values = [];
    }

    /// <summary>Zeroed, not empty: masked positions are still multiplied, and stale memory may hold NaN.</summary>
    protected static (Tensor[] Keys, Tensor[] Values) Allocate(ModelConfig config, long rows, int capacity, ScalarType dtype, Device device)
    {
        var keys = new Tensor[config.NumLayers];
        var values = new Tensor[config.NumLayers];
        for (int i = 0; i < config.NumLayers; i++)
        {
            keys[i] = zeros([rows, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device);
            values[i] = zeros([rows, config.NumKeyValueHeads, capacity, config.HeadDim], dtype, device);
        }
        return (keys, values);
    }

    public int Capacity { get; }

    /// <summary>Positions already filled (the same for every layer).</summary>
    public int Length { get; private set; }

    /// <summary>Stores this step's keys/values at [offset, offset+s) and returns views of everything so far.</summary>
    public virtual (Tensor Keys, Tensor Values) Append(int layer, int offset, Tensor keys, Tensor values)
    {
        long s = keys.shape[2];
        if (offset + s > Capacity)
            throw new InvalidOperationException($"The sequence of {offset + s} tokens is longer than the cache of {Capacity}.");
        _keys[layer].narrow(2, offset, s).copy_(keys);
        _values[layer].narrow(2, offset, s).copy_(values);
        if (layer == _keys.Length - 1) Length = (int)(offset + s);
        return (_keys[layer].narrow(2, 0, offset + s), _values[layer].narrow(2, 0, offset + s));
    }

    /// <summary>
    /// Attention for this layer straight from the cache, or null when the caller should attend over what
    /// <see cref="Append"/> returned (with its mask). Called right after <see cref="Append"/> for the same layer.
    /// </summary>
    public virtual Tensor? Attend(int layer, Tensor query) => null;

    public virtual void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t.Dispose();
        GC.SuppressFinalize(this);
    }
}
