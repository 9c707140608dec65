using static TorchSharp.torch;

namespace PgxStudio.Engine.Data;

/// <summary>A batch as int64 tensors, padded to its longest example.</summary>
public sealed record Batch(Tensor InputIds, Tensor AttentionMask, Tensor Labels) : IDisposable
{
    public void Dispose() { InputIds.Dispose(); AttentionMask.Dispose(); Labels.Dispose(); }
}

/// <summary>Pads examples on the right to the longest in the batch (not to cutoff_len): pad ids, mask 0, label -100.</summary>
public static class Collator
{
    public static Batch Collate(IReadOnlyList<EncodedExample> examples, int padTokenId, Device? device = null)
    {
        if (examples.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(examples));
        var length = examples.Max(e => e.InputIds.Count);
        var ids = new long[examples.Count * length];
        var mask = new long[examples.Count * length];
        var labels = new long[examples.Count * length];
        for (var b = 0; b < examples.Count; b++)
        {
            var e = examples[b];
            for (var t = 0; t < length; t++)
            {
                var i = b * length + t;
                var real = t < e.InputIds.Count;
                ids[i] = real ? e.InputIds[t] : padTokenId;
                mask[i] = real ? 1 : 0;
                labels[i] = real && t < e.Labels.Count ? e.Labels[t] : EncodedExample.IgnoreIndex;
            }
        }
        long[] shape = [examples.Count, length];
        return new Batch(
            tensor(ids, shape, ScalarType.Int64, device),
            tensor(mask, shape, ScalarType.Int64, device),
            tensor(labels, shape, ScalarType.Int64, device));
    }
}
