using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Attention of one decode step over the serving KV slots on the CPU: each row's one query against its own slot's
/// first <c>length</c> keys, read in place. libtorch's attention took a third of a batch-8 step (bf16 Qwen3-0.6B, 2-core
/// AMD EPYC, 300 tokens of context: about 68 of 194 ms): its flash kernel pads a decode step's 2 query rows per key
/// head to a block of 32 and multiplies them through a GEMM, and every row read the longest row's keys under a mask.
/// Here each (row, key/value head) pair is one dot product per key, a softmax and a weighted sum, all in fp32, in an
/// order that does not depend on the other rows, so a row's answer is the same alone or batched.
/// Used where <see cref="SmallBatchLinear"/> is (inference, CPU, AVX-512, fp32 or bf16); elsewhere SDPA with the mask.
/// </summary>
public static unsafe class DecodeAttention
{
    public static bool Applies(Tensor query, Tensor keys) =>
        FloatStorage.ForInference(keys) && query.device_type == TorchSharp.DeviceType.CPU && query.dtype == keys.dtype;

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
        var q = query.to(ScalarType.Float32).contiguous();
        var output = empty([rows, heads, 1, d], ScalarType.Float32);
        float* qp = (float*)FloatStorage.Pointer(q), op = (float*)FloatStorage.Pointer(output);
        byte* kp = FloatStorage.Pointer(keys), vp = FloatStorage.Pointer(values);
        bool bf16 = keys.dtype == ScalarType.BFloat16;
        float scale = 1f / MathF.Sqrt(d);
        // One chunk per (row, key/value head).
        ProductTeam.Run(DecodeThreads.ProductWidth, rows * kvHeads, unit =>
        {
            int row = unit / kvHeads, kv = unit % kvHeads;
            long slot = ((long)row * kvHeads + kv) * capacity * d; // element offset of this slot's keys
            float* qRow = qp + ((long)row * heads + kv * groups) * d, oRow = op + ((long)row * heads + kv * groups) * d;
            var scores = ArrayPool<float>.Shared.Rent(groups * lengths[row]);
            try
            {
                fixed (float* s = scores)
                    if (bf16) Unit(qRow, (ushort*)kp + slot, (ushort*)vp + slot, lengths[row], groups, d, scale, s, oRow);
                    else Unit(qRow, (float*)kp + slot, (float*)vp + slot, lengths[row], groups, d, scale, s, oRow);
            }
            finally { ArrayPool<float>.Shared.Return(scores); }
        });
        return output.to(query.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The <paramref name="groups"/> query heads that share one key/value head (query head h reads key head h / groups).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Unit<T>(float* q, T* k, T* v, int length, int groups, int d, float scale, float* scores, float* o) where T : unmanaged
    {
        for (int g = 0; g < groups; g++)
        {
            float* s = scores + g * length;
            for (int t = 0; t < length; t++) s[t] = FloatStorage.Dot(q + g * d, k + (long)t * d, d) * scale;
            Softmax(s, length);
            new Span<float>(o + g * d, d).Clear();
        }
        // Each value row is read once for all the heads of the group.
        for (int t = 0; t < length; t++)
            for (int g = 0; g < groups; g++)
                AddScaled(o + g * d, v + (long)t * d, scores[g * length + t], d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddScaled<T>(float* o, T* v, float p, int d) where T : unmanaged
    {
        var weight = Vector512.Create(p);
        int i = 0;
        for (; i + 16 <= d; i += 16) Vector512.FusedMultiplyAdd(weight, FloatStorage.Load(v + i), Vector512.Load(o + i)).Store(o + i);
        for (; i < d; i++) o[i] += p * FloatStorage.Scalar(v + i);
    }

    /// <summary>In place: exp(s − max) / Σ.</summary>
    static void Softmax(float* s, int length)
    {
        float max = float.NegativeInfinity;
        for (int t = 0; t < length; t++) max = Math.Max(max, s[t]);
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
