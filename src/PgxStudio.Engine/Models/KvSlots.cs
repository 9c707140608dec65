using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// The KV memory of a serving batch, allocated once: one slot per sequence the server may run at the same time,
/// each holding up to <see cref="KvCache.Capacity"/> tokens ([slots, kv_heads, capacity, head_dim] per layer).
/// A sequence owns one slot from its prefill until it finishes; its token t sits at position t of its slot, so
/// attention reads a slot as a plain view, with no gather and no copy.
/// Before each forward the scheduler says what the rows are: new sequences being prefilled into their slots
/// (<see cref="PlanPrefill"/>) or one decode step over slots 0…rows-1 (<see cref="PlanDecode"/>).
/// </summary>
public sealed class KvSlots : KvCache
{
    readonly Tensor[] _keys;
    readonly Tensor[] _values;
    Tensor? _prefillSlots;
    (int Rows, TensorIndex[] Index, int ReadLength, int[] Lengths)? _decode;

    public KvSlots(ModelConfig config, int slots, int capacity, ScalarType dtype, Device device) : base(capacity)
    {
        Slots = slots;
        (_keys, _values) = Allocate(config, slots, capacity, dtype, device);
    }

    public int Slots { get; }

    /// <summary>Bytes of keys and values one token takes over all layers.</summary>
    public static long BytesPerToken(ModelConfig config, ScalarType dtype) =>
        2L * config.NumLayers * config.NumKeyValueHeads * config.HeadDim * ElementSize(dtype);

    /// <summary>What <paramref name="slots"/> slots of <paramref name="capacity"/> tokens take, allocated up front.</summary>
    public static long Bytes(ModelConfig config, int slots, int capacity, ScalarType dtype) =>
        BytesPerToken(config, dtype) * slots * capacity;

    public static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        _ => 2,
    };

    /// <summary>
    /// The next forward prefills the rows' sequences from position 0 into <paramref name="slots"/> ([rows], int64).
    /// Attention sees only that forward's own keys (under its causal and padding mask).
    /// </summary>
    public void PlanPrefill(Tensor slots)
    {
        _decode = null;
        _prefillSlots = slots;
    }

    /// <summary>
    /// The next forward is one decode step whose row r is slot r: its new token is written at
    /// <paramref name="positions"/>[r] ([rows], int64) and attention reads positions [0, <paramref name="readLength"/>)
    /// of slots 0…rows-1 (the caller's mask hides what a row has not written).
    /// </summary>
    public void PlanDecode(int rows, Tensor positions, int readLength)
    {
        if (rows > Slots) throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows but only {Slots} slots.");
        if (readLength > Capacity) throw new ArgumentOutOfRangeException(nameof(readLength), $"{readLength} positions but slots of {Capacity}.");
        _prefillSlots = null;
        var slotIndex = arange(rows, dtype: ScalarType.Int64, device: positions.device);
        // Row r attends to its own positions 0…positions[r], whatever the longest row reads.
        var lengths = positions.device_type == TorchSharp.DeviceType.CPU ? positions.contiguous().data<long>().Select(p => (int)p + 1).ToArray() : [];
        _decode = (rows, [TensorIndex.Tensor(slotIndex), TensorIndex.Colon, TensorIndex.Tensor(positions)], readLength, lengths);
    }

    public override (Tensor Keys, Tensor Values) Append(int layer, int offset, Tensor keys, Tensor values)
    {
        if (_prefillSlots is { } slots)
        {
            long s = keys.shape[2];
            if (s > Capacity) throw new InvalidOperationException($"A prompt of {s} tokens is longer than a slot of {Capacity}.");
            _keys[layer].narrow(2, 0, s).index_copy_(0, slots, keys);
            _values[layer].narrow(2, 0, s).index_copy_(0, slots, values);
            return (keys, values);
        }
        if (_decode is not { } step) throw new InvalidOperationException("Plan the forward (PlanPrefill or PlanDecode) before running it over KV slots.");
        if (keys.shape[0] != step.Rows || keys.shape[2] != 1)
            throw new InvalidOperationException($"A decode step over {step.Rows} slots got keys of shape [{string.Join(", ", keys.shape)}].");
        _keys[layer].index_put_(keys.squeeze(2), step.Index);
        _values[layer].index_put_(values.squeeze(2), step.Index);
        return (_keys[layer].narrow(0, 0, step.Rows).narrow(2, 0, step.ReadLength),
                _values[layer].narrow(0, 0, step.Rows).narrow(2, 0, step.ReadLength));
    }

    /// <summary>A decode step on the CPU attends in place, each row over its own length (<see cref="DecodeAttention"/>).</summary>
    public override Tensor? Attend(int layer, Tensor query) =>
        _decode is { } step && step.Lengths.Length == step.Rows && DecodeAttention.Applies(query, _keys[layer])
            ? DecodeAttention.Forward(query, _keys[layer], _values[layer], step.Lengths)
            : null;

    public override void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t.Dispose();
        base.Dispose();
    }
}
