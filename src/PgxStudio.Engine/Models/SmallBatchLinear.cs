using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// y = x·Wᵀ for the few rows of a decode step on the CPU, reading each weight once for all rows. A decode step is
/// bound by reading the weights, so a batch of 8 should cost about what one row costs; libtorch's GEMM does not get
/// there for few rows (fp32 through MKL costs 2.3× a single row at 4 rows and 2.7× at 8, as it repacks the weights
/// every call). Here every output is one dot product accumulated in the same order whatever the number of rows or
/// threads, so a row's result does not depend on what else is in the batch, bit for bit.
/// Used only where it applies: inference (no grad), CPU, fp32 or bf16 contiguous weights under 2 GiB, at most
/// <see cref="MaxRows"/> rows, a width that is a multiple of 16, and AVX-512. Everything else goes to libtorch.
/// </summary>
public static unsafe class SmallBatchLinear
{
    public const int MaxRows = 16;

    /// <summary>
    /// Outputs a thread claims at a time (a multiple of the kernels' four): a fraction of a millisecond's work even for
    /// 16 rows of a wide input, so the threads finish together; Qwen3-0.6B's narrowest projection still makes eight chunks.
    /// </summary>
    const int ChunkOutputs = 128;

    /// <summary>PGX_SMALL_BATCH_LINEAR=0 turns it off (to compare with libtorch in the same build).</summary>
    public static bool Enabled { get; set; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Environment.GetEnvironmentVariable("PGX_SMALL_BATCH_LINEAR") != "0";

    /// <summary>Threads that share one product (null: libtorch's intra-op thread count, all of them inside a <see cref="DecodeThreads"/> step).</summary>
    public static int? Threads { get; set; }

    public static bool Applies(Tensor x, Tensor weight)
    {
        if (!Enabled || is_grad_enabled() || x.device_type != TorchSharp.DeviceType.CPU || weight.device_type != TorchSharp.DeviceType.CPU) return false;
        if (weight.dtype is not (ScalarType.Float32 or ScalarType.BFloat16) || x.dtype != weight.dtype || weight.dim() != 2 || !weight.is_contiguous()) return false;
        long width = weight.shape[1];
        // A span over the weights is at most 2 GiB: a bigger matrix (a 7B model's fp32 output head) stays with libtorch.
        return width % 16 == 0 && x.shape[^1] == width && x.numel() / width <= MaxRows && weight.numel() * weight.ElementSize <= int.MaxValue;
    }

    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias = null)
    {
        using var scope = NewDisposeScope();
        int k = (int)weight.shape[1], n = (int)weight.shape[0];
        var input = x.contiguous();
        int m = (int)(input.numel() / k);
        var result = empty([.. x.shape[..^1], n], bias is null ? x.dtype : ScalarType.Float32);
        // The few rows are widened to fp32 here and the outputs rounded back here, as libtorch's casts around the
        // product did: two operations fewer for each of a decode step's ~200 products.
        var rows = ArrayPool<float>.Shared.Rent(m * k);
        var outputs = ArrayPool<float>.Shared.Rent(m * n);
        try
        {
            fixed (float* xp = rows, yp = outputs)
            {
                float* xs = xp, ys = yp; // fixed locals cannot be captured by the lambda
                byte* ip = FloatStorage.Pointer(input), wp = FloatStorage.Pointer(weight), rp = FloatStorage.Pointer(result);
                bool bf16 = weight.dtype == ScalarType.BFloat16;
                if (bf16) Widen((ushort*)ip, xs, m * k); else Widen((float*)ip, xs, m * k);
                int chunks = (n + ChunkOutputs - 1) / ChunkOutputs;
                ProductTeam.Run(Threads ?? DecodeThreads.ProductWidth, chunks, chunk =>
                {
                    long first = (long)chunk * ChunkOutputs, last = Math.Min(n, first + ChunkOutputs);
                    if (bf16) Outputs(xs, m, k, (ushort*)wp, first, last, ys, n);
                    else Outputs(xs, m, k, (float*)wp, first, last, ys, n);
                });
                if (result.dtype == ScalarType.BFloat16) Narrow(ys, (ushort*)rp, m * n); else Narrow(ys, (float*)rp, m * n);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rows);
            ArrayPool<float>.Shared.Return(outputs);
        }
        if (bias is not null) result = (result + bias.to(ScalarType.Float32)).to(x.dtype);
        return result.MoveToOuterDisposeScope();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Widen<T>(T* from, float* to, int count) where T : unmanaged
    {
        int i = 0;
        for (; i + 16 <= count; i += 16) FloatStorage.Load(from + i).Store(to + i);
        for (; i < count; i++) to[i] = FloatStorage.Scalar(from + i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Narrow<T>(float* from, T* to, int count) where T : unmanaged
    {
        int i = 0;
        for (; i + 16 <= count; i += 16) FloatStorage.Store(to + i, Vector512.Load(from + i));
        for (; i < count; i++) FloatStorage.Store(to + i, from[i]);
    }

    // The kernels are compiled fully optimized at once: under tiered compilation a server's first minutes (and a whole
    // benchmark) ran their tier-0 code, with Load and the vector operations as calls, at a third of the speed.

    /// <summary>Weight rows [first, last): four at a time (their 4·k values stay in L1 while every x row passes), then one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Outputs<TWeight>(float* x, int m, int k, TWeight* w, long first, long last, float* y, long n) where TWeight : unmanaged
    {
        long o = first;
        for (; o + 4 <= last; o += 4)
        {
            int r = 0;
            for (; r + 4 <= m; r += 4) FourByFour(x + (long)r * k, k, w + o * k, y + r * n + o, n);
            for (; r < m; r++) OneByFour(x + (long)r * k, k, w + o * k, y + r * n + o);
        }
        for (; o < last; o++)
            for (int r = 0; r < m; r++) y[r * n + o] = FloatStorage.Dot(x + (long)r * k, w + o * k, k);
    }

    /// <summary>
    /// Asks for the next four weight rows' line at offset i (once per 64-byte line) into L2 while these four are
    /// multiplied. Four rows read side by side are four short streams (2 KiB each for bf16 at width 1024) that the
    /// hardware prefetcher barely learns before they end: on the 2-core AMD EPYC, a bf16 151,936 × 1,024 product
    /// read its weights at 27.6 GB/s for one row without this and 44.4 with it, and 8 rows went from 107 to 158 GFLOP/s
    /// (into L1, or two blocks ahead, did less).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PrefetchNextFour<TWeight>(TWeight* w, int k, int i) where TWeight : unmanaged
    {
        if (i * sizeof(TWeight) % 64 != 0) return;
        TWeight* next = w + 4L * k + i;
        Sse.Prefetch1(next);
        Sse.Prefetch1(next + k);
        Sse.Prefetch1(next + 2L * k);
        Sse.Prefetch1(next + 3L * k);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OneByFour<TWeight>(float* x, int k, TWeight* w, float* y) where TWeight : unmanaged
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int i = 0; i < k; i += 16)
        {
            PrefetchNextFour(w, k, i);
            var v = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + i), a0);
            a1 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + k + i), a1);
            a2 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + 2 * k + i), a2);
            a3 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + 3 * k + i), a3);
        }
        y[0] = Vector512.Sum(a0); y[1] = Vector512.Sum(a1); y[2] = Vector512.Sum(a2); y[3] = Vector512.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourByFour<TWeight>(float* x, int k, TWeight* w, float* y, long n) where TWeight : unmanaged
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (int i = 0; i < k; i += 16)
        {
            PrefetchNextFour(w, k, i);
            var w0 = FloatStorage.Load(w + i);
            var w1 = FloatStorage.Load(w + k + i);
            var w2 = FloatStorage.Load(w + 2 * k + i);
            var w3 = FloatStorage.Load(w + 3 * k + i);
            var v = Vector512.Load(x + i);
            a00 = Vector512.FusedMultiplyAdd(v, w0, a00); a01 = Vector512.FusedMultiplyAdd(v, w1, a01);
            a02 = Vector512.FusedMultiplyAdd(v, w2, a02); a03 = Vector512.FusedMultiplyAdd(v, w3, a03);
            v = Vector512.Load(x + k + i);
            a10 = Vector512.FusedMultiplyAdd(v, w0, a10); a11 = Vector512.FusedMultiplyAdd(v, w1, a11);
            a12 = Vector512.FusedMultiplyAdd(v, w2, a12); a13 = Vector512.FusedMultiplyAdd(v, w3, a13);
            v = Vector512.Load(x + 2 * k + i);
            a20 = Vector512.FusedMultiplyAdd(v, w0, a20); a21 = Vector512.FusedMultiplyAdd(v, w1, a21);
            a22 = Vector512.FusedMultiplyAdd(v, w2, a22); a23 = Vector512.FusedMultiplyAdd(v, w3, a23);
            v = Vector512.Load(x + 3 * k + i);
            a30 = Vector512.FusedMultiplyAdd(v, w0, a30); a31 = Vector512.FusedMultiplyAdd(v, w1, a31);
            a32 = Vector512.FusedMultiplyAdd(v, w2, a32); a33 = Vector512.FusedMultiplyAdd(v, w3, a33);
        }
        y[0] = Vector512.Sum(a00); y[1] = Vector512.Sum(a01); y[2] = Vector512.Sum(a02); y[3] = Vector512.Sum(a03);
        y += n;
        y[0] = Vector512.Sum(a10); y[1] = Vector512.Sum(a11); y[2] = Vector512.Sum(a12); y[3] = Vector512.Sum(a13);
        y += n;
        y[0] = Vector512.Sum(a20); y[1] = Vector512.Sum(a21); y[2] = Vector512.Sum(a22); y[3] = Vector512.Sum(a23);
        y += n;
        y[0] = Vector512.Sum(a30); y[1] = Vector512.Sum(a31); y[2] = Vector512.Sum(a32); y[3] = Vector512.Sum(a33);
    }
}
