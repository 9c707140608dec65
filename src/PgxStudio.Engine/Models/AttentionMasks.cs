using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>Explicit masks and positions for padded batches and cached decoding.</summary>
public static class AttentionMasks
{
    /// <summary>Position ids that skip left padding: the first real token of each row is position 0.</summary>
    public static Tensor Positions(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return (attentionMask.to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mask for a whole padded batch with no cache, or null when no row has padding: attention then uses the
    /// kernel's own causal mask, which is cheaper (<see cref="Attention"/>).
    /// </summary>
    public static Tensor? CausalUnlessUnpadded(Tensor attentionMask) =>
        attentionMask.all().item<bool>() ? null : Causal(attentionMask, attentionMask.shape[1], 0);

    /// <summary>
    /// Boolean [batch, 1, queries, keys]: query i (at absolute position offset+i) sees key j when j ≤ offset+i and
    /// key j is not padding. Every query also sees itself, so padded rows never become all-masked (NaN).
    /// </summary>
    /// <param name="keyMask">[batch, keys] with 1 for real tokens.</param>
    public static Tensor Causal(Tensor keyMask, long queries, long offset)
    {
        using var scope = NewDisposeScope();
        long keys = keyMask.shape[1];
        var device = keyMask.device;
        var q = arange(offset, offset + queries, device: device).view(-1, 1);
        var k = arange(0, keys, device: device).view(1, -1);
        var causal = k.le(q).unsqueeze(0);                            // [1, queries, keys]
        var real = keyMask.to(ScalarType.Bool).unsqueeze(1);          // [batch, 1, keys]
        var self = k.eq(q).unsqueeze(0);
        return causal.logical_and(real).logical_or(self).unsqueeze(1).MoveToOuterDisposeScope();
    }
}
