using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Attention of one decode step over the serving KV slots on the CPU: each row's one query against its own slot's
/// first <c>length</c> keys, read in place. libtorch's attention took a third of a batch-8 step (bf16 Qwen3-0.6B, 2-core
/// AMD EPYC, 300 tokens of context: about 68 of 194 ms): its flash kernel pads a decode step's 2 query rows per key
/// head to a block of 32 and multiplies them through a GEMM, and every row read the longest row's keys under a mask.
/// Here each (row, key/value head) pair is a small product (its query heads against its keys, by the decode-step
/// product's own kernels: the keys are a weight matrix of <c>length</c> rows), a softmax and a weighted sum, all in
/// fp32, in an order that does not depend on the other rows, so a row's answer is the same alone or batched.
/// Used where <see cref="SmallBatchLinear"/> is (inference, CPU, AVX-512, fp32 or bf16, a head width that is a multiple
/// of 16); elsewhere SDPA with the mask.
/// </summary>
public static unsafe class DecodeAttention
{
    public static bool Applies(Tensor query, Tensor keys) =>
        FloatStorage.ForInference(keys) && query.device_type == TorchSharp.DeviceType.CPU && query.dtype == keys.dtype
        && keys.shape[^1] % 16 == 0;

    /// <param name="query">[rows, heads, 1, head_dim], rotated.</param>
    /// <param name="keys">One layer's slots, [slots, kv_heads, capacity, head_dim]; row r reads slot r.</param>
    /// <param name="values">Same layout as <paramref name="keys"/>.</param>
    /// <param name="lengths">Keys row r attends to: positions [0, lengths[r]) of its slot.</param>
    /// <returns>[rows, heads, 1, head_dim] in the query's dtype.</returns>
    public static Tensor Forward(Tensor query, Tensor keys, Tensor values, int[] lengths)
    {
        using var scope = NewDisposeScope();
        int rows = (int)query.shape[0], heads = (int)query.shape[1], d = (int)query.shape[3];
        int kvHeads = (int)keys.shape[1], capacity = (int)keys.shape[2], groups = heads / kvHeads;
        var q = query.contiguous();
        var output = empty([rows, heads, 1, d], ScalarType.Float32);
        // The queries in the order the product's kernels read their input rows (FloatStorage.LoadPair).
        var queries = ArrayPool<float>.Shared.Rent(rows * heads * d);
        try
        {
            fixed (float* qs = queries)
            {
                float* qp = qs, op = (float*)FloatStorage.Pointer(output);
                byte* kp = FloatStorage.Pointer(keys), vp = FloatStorage.Pointer(values);
                bool bf16 = keys.dtype == ScalarType.BFloat16;
                if (bf16) SmallBatchLinear.Widen((ushort*)FloatStorage.Pointer(q), qp, rows * heads, d);
                else SmallBatchLinear.Widen((float*)FloatStorage.Pointer(q), qp, rows * heads, d);
                float scale = 1f / MathF.Sqrt(d);
                // One chunk per (row, key/value head).
                ProductTeam.Run(DecodeThreads.ProductWidth, rows * kvHeads, unit =>
                {
                    int row = unit / kvHeads, kv = unit % kvHeads;
                    long slot = ((long)row * kvHeads + kv) * capacity * d; // element offset of this slot's keys
                    long first = ((long)row * heads + kv * groups) * d;     // of this pair's first query head
                    var scores = ArrayPool<float>.Shared.Rent(groups * lengths[row]);
                    try
                    {
                        fixed (float* s = scores)
                            if (bf16) Unit(qp + first, (ushort*)kp + slot, (ushort*)vp + slot, lengths[row], groups, d, scale, s, op + first);
                            else Unit(qp + first, (float*)kp + slot, (float*)vp + slot, lengths[row], groups, d, scale, s, op + first);
                    }
                    finally { ArrayPool<float>.Shared.Return(scores); }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(queries); }
        return output.to(query.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The <paramref name="groups"/> query heads that share one key/value head (query head h reads key head h / groups).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Unit<T>(float* q, T* k, T* v, int length, int groups, int d, float scale, float* scores, float* o) where T : unmanaged
    {
        // This unit's keys and values into L2 at once: the keys stream ahead of the scores' product, and the values,
        // needed only after the softmax, arrive meanwhile (about a fifth off a batch-8 step's attention).
        long bytes = (long)length * d * sizeof(T);
        for (long line = 0; line < bytes; line += 64) Sse.Prefetch1((byte*)k + line);
        for (long line = 0; line < bytes; line += 64) Sse.Prefetch1((byte*)v + line);
        // Scores: the query heads times the keys as a product of `groups` rows by `length` weight rows (four keys at a time).
        SmallBatchLinear.Outputs(q, groups, d, k, 0, length, scores, length);
        for (int g = 0; g < groups; g++) Softmax(scores + g * length, length, scale);
        Weighted(scores, v, length, groups, d, o);
    }

    /// <summary>
    /// Each head's Σₜ pₜ·vₜ. Every output value is summed over t in order, one fused multiply-add each; 64 values of a head
    /// at a time, four independent sums, so the adds do not wait on each other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Weighted<T>(float* p, T* v, int length, int groups, int d, float* o) where T : unmanaged
    {
        int i = 0;
        for (; i + 64 <= d; i += 64)
            for (int g = 0; g < groups; g++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* pg = p + g * length;
                T* row = v + i;
                for (int t = 0; t < length; t++, row += d)
                {
                    var weight = Vector512.Create(pg[t]);
                    a0 = Vector512.FusedMultiplyAdd(weight, FloatStorage.Load(row), a0);
                    a1 = Vector512.FusedMultiplyAdd(weight, FloatStorage.Load(row + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(weight, FloatStorage.Load(row + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(weight, FloatStorage.Load(row + 48), a3);
                }
                float* out0 = o + g * d + i;
                a0.Store(out0);
                a1.Store(out0 + 16);
                a2.Store(out0 + 32);
                a3.Store(out0 + 48);
            }
        for (; i < d; i += 16) // d is a multiple of 16 (Applies)
            for (int g = 0; g < groups; g++)
            {
                Vector512<float> a = default;
                float* pg = p + g * length;
                T* row = v + i;
                for (int t = 0; t < length; t++, row += d) a = Vector512.FusedMultiplyAdd(Vector512.Create(pg[t]), FloatStorage.Load(row), a);
                a.Store(o + g * d + i);
            }
    }

    /// <summary>In place: the scaled scores, then exp(s − max) / Σ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Softmax(float* s, int length, float scale)
    {
        float max = float.NegativeInfinity;
        for (int t = 0; t < length; t++) max = Math.Max(max, s[t] *= scale);
        var top = Vector512.Create(max);
        float sum = 0;
        int i = 0;
        for (; i + 16 <= length; i += 16)
        {
            var e = Vector512.Exp(Vector512.Load(s + i) - top);
            e.Store(s + i);
            sum += Vector512.Sum(e);
        }
        for (; i < length; i++) sum += s[i] = MathF.Exp(s[i] - max);
        float inverse = 1 / sum;
        for (int t = 0; t < length; t++) s[t] *= inverse;
    }
}
