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
                if (bf16) Widen((ushort*)ip, xs, m, k); else Widen((float*)ip, xs, m, k);
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

    /// <summary>
    /// The rows as fp32 in the order the kernels read them (<see cref="FloatStorage.LoadPair"/>): for bf16, each block
    /// of 32 as its 16 even-indexed values, then its 16 odd ones; a last block of 16 as it is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Widen<T>(T* from, float* to, int rows, int k) where T : unmanaged
    {
        for (int r = 0; r < rows; r++, from += k, to += k)
        {
            int i = 0;
            for (; i + 32 <= k; i += 32)
            {
                FloatStorage.LoadPair(from + i, out var first, out var second);
                first.Store(to + i);
                second.Store(to + i + 16);
            }
            if (i < k) FloatStorage.Load(from + i).Store(to + i);
        }
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
            for (int r = 0; r < m; r++) y[r * n + o] = OneByOne(x + (long)r * k, k, w + o * k);
    }

    /// <summary>
    /// Asks for the next four weight rows' lines of the 32 values at i into L2 while these four are multiplied. Four
    /// rows read side by side are four short streams (2 KiB each for bf16 at width 1024) that the hardware prefetcher
    /// barely learns before they end: on the 2-core AMD EPYC, a bf16 151,936 × 1,024 product read its weights at 27.6 GB/s
    /// for one row without this and 44.4 with it, and 8 rows went from 107 to 158 GFLOP/s (into L1, or two blocks
    /// ahead, did less).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PrefetchNextFour<TWeight>(TWeight* w, int k, int i) where TWeight : unmanaged
    {
        for (int line = 0; line < 32 * sizeof(TWeight); line += 64)
        {
            byte* next = (byte*)(w + 4L * k + i) + line;
            long stride = (long)k * sizeof(TWeight);
            Sse.Prefetch1(next);
            Sse.Prefetch1(next + stride);
            Sse.Prefetch1(next + 2 * stride);
            Sse.Prefetch1(next + 3 * stride);
        }
    }

    // Each kernel walks k in blocks of 32 values read as two vectors (FloatStorage.LoadPair: for bf16 the even and the
    // odd values, which takes two bit operations where widening in order takes a shuffle each 16), then a last block
    // of 16. Every output is summed in this one order, which a row's independence from the batch relies on.
    // Measured on the 2-core AMD EPYC (bf16, width 1024): with its weights in cache one thread's FourByFour went from
    // 100 to 210 GFLOP/s (the FMA peak measured beside it: 215) with these loads and FourSums; a whole decode step at
    // batch 8 only from 96 to 101 tokens/s (medians of five alternating runs), as reading the weights from memory
    // and the arithmetic on them add up rather than overlap (prefetching further ahead, or spread over the passes, did
    // not change that; neither did huge pages).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float OneByOne<TWeight>(float* x, int k, TWeight* w) where TWeight : unmanaged
    {
        Vector512<float> a = default;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            FloatStorage.LoadPair(w + i, out var w0, out var w1);
            a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), w0, a);
            a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 16), w1, a);
        }
        if (i < k) a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), FloatStorage.Load(w + i), a);
        return Vector512.Sum(a);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OneByFour<TWeight>(float* x, int k, TWeight* w, float* y) where TWeight : unmanaged
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            PrefetchNextFour(w, k, i);
            FloatStorage.LoadPair(w + i, out var w00, out var w01);
            FloatStorage.LoadPair(w + k + i, out var w10, out var w11);
            FloatStorage.LoadPair(w + 2 * k + i, out var w20, out var w21);
            FloatStorage.LoadPair(w + 3 * k + i, out var w30, out var w31);
            var v = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(v, w00, a0); a1 = Vector512.FusedMultiplyAdd(v, w10, a1);
            a2 = Vector512.FusedMultiplyAdd(v, w20, a2); a3 = Vector512.FusedMultiplyAdd(v, w30, a3);
            v = Vector512.Load(x + i + 16);
            a0 = Vector512.FusedMultiplyAdd(v, w01, a0); a1 = Vector512.FusedMultiplyAdd(v, w11, a1);
            a2 = Vector512.FusedMultiplyAdd(v, w21, a2); a3 = Vector512.FusedMultiplyAdd(v, w31, a3);
        }
        if (i < k)
        {
            var v = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + i), a0); a1 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + k + i), a1);
            a2 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + 2 * k + i), a2); a3 = Vector512.FusedMultiplyAdd(v, FloatStorage.Load(w + 3 * k + i), a3);
        }
        FourSums(a0, a1, a2, a3).Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourByFour<TWeight>(float* x, int k, TWeight* w, float* y, long n) where TWeight : unmanaged
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        float* x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k;
        TWeight* w1 = w + k, w2 = w + 2 * k, w3 = w + 3 * k;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            PrefetchNextFour(w, k, i);
            FloatStorage.LoadPair(w + i, out var w00, out var w01);
            FloatStorage.LoadPair(w1 + i, out var w10, out var w11);
            FloatStorage.LoadPair(w2 + i, out var w20, out var w21);
            FloatStorage.LoadPair(w3 + i, out var w30, out var w31);
            var v = Vector512.Load(x + i);
            a00 = Vector512.FusedMultiplyAdd(v, w00, a00); a01 = Vector512.FusedMultiplyAdd(v, w10, a01);
            a02 = Vector512.FusedMultiplyAdd(v, w20, a02); a03 = Vector512.FusedMultiplyAdd(v, w30, a03);
            v = Vector512.Load(x + i + 16);
            a00 = Vector512.FusedMultiplyAdd(v, w01, a00); a01 = Vector512.FusedMultiplyAdd(v, w11, a01);
            a02 = Vector512.FusedMultiplyAdd(v, w21, a02); a03 = Vector512.FusedMultiplyAdd(v, w31, a03);
            v = Vector512.Load(x1 + i);
            a10 = Vector512.FusedMultiplyAdd(v, w00, a10); a11 = Vector512.FusedMultiplyAdd(v, w10, a11);
            a12 = Vector512.FusedMultiplyAdd(v, w20, a12); a13 = Vector512.FusedMultiplyAdd(v, w30, a13);
            v = Vector512.Load(x1 + i + 16);
            a10 = Vector512.FusedMultiplyAdd(v, w01, a10); a11 = Vector512.FusedMultiplyAdd(v, w11, a11);
            a12 = Vector512.FusedMultiplyAdd(v, w21, a12); a13 = Vector512.FusedMultiplyAdd(v, w31, a13);
            v = Vector512.Load(x2 + i);
            a20 = Vector512.FusedMultiplyAdd(v, w00, a20); a21 = Vector512.FusedMultiplyAdd(v, w10, a21);
            a22 = Vector512.FusedMultiplyAdd(v, w20, a22); a23 = Vector512.FusedMultiplyAdd(v, w30, a23);
            v = Vector512.Load(x2 + i + 16);
            a20 = Vector512.FusedMultiplyAdd(v, w01, a20); a21 = Vector512.FusedMultiplyAdd(v, w11, a21);
            a22 = Vector512.FusedMultiplyAdd(v, w21, a22); a23 = Vector512.FusedMultiplyAdd(v, w31, a23);
            v = Vector512.Load(x3 + i);
            a30 = Vector512.FusedMultiplyAdd(v, w00, a30); a31 = Vector512.FusedMultiplyAdd(v, w10, a31);
            a32 = Vector512.FusedMultiplyAdd(v, w20, a32); a33 = Vector512.FusedMultiplyAdd(v, w30, a33);
            v = Vector512.Load(x3 + i + 16);
            a30 = Vector512.FusedMultiplyAdd(v, w01, a30); a31 = Vector512.FusedMultiplyAdd(v, w11, a31);
            a32 = Vector512.FusedMultiplyAdd(v, w21, a32); a33 = Vector512.FusedMultiplyAdd(v, w31, a33);
        }
        if (i < k)
        {
            var w0 = FloatStorage.Load(w + i); var w1_ = FloatStorage.Load(w1 + i); var w2_ = FloatStorage.Load(w2 + i); var w3_ = FloatStorage.Load(w3 + i);
            var v = Vector512.Load(x + i);
            a00 = Vector512.FusedMultiplyAdd(v, w0, a00); a01 = Vector512.FusedMultiplyAdd(v, w1_, a01);
            a02 = Vector512.FusedMultiplyAdd(v, w2_, a02); a03 = Vector512.FusedMultiplyAdd(v, w3_, a03);
            v = Vector512.Load(x1 + i);
            a10 = Vector512.FusedMultiplyAdd(v, w0, a10); a11 = Vector512.FusedMultiplyAdd(v, w1_, a11);
            a12 = Vector512.FusedMultiplyAdd(v, w2_, a12); a13 = Vector512.FusedMultiplyAdd(v, w3_, a13);
            v = Vector512.Load(x2 + i);
            a20 = Vector512.FusedMultiplyAdd(v, w0, a20); a21 = Vector512.FusedMultiplyAdd(v, w1_, a21);
            a22 = Vector512.FusedMultiplyAdd(v, w2_, a22); a23 = Vector512.FusedMultiplyAdd(v, w3_, a23);
            v = Vector512.Load(x3 + i);
            a30 = Vector512.FusedMultiplyAdd(v, w0, a30); a31 = Vector512.FusedMultiplyAdd(v, w1_, a31);
            a32 = Vector512.FusedMultiplyAdd(v, w2_, a32); a33 = Vector512.FusedMultiplyAdd(v, w3_, a33);
        }
        FourSums(a00, a01, a02, a03).Store(y);
        FourSums(a10, a11, a12, a13).Store(y + n);
        FourSums(a20, a21, a22, a23).Store(y + 2 * n);
        FourSums(a30, a31, a32, a33).Store(y + 3 * n);
    }

    /// <summary>
    /// The sums of four accumulators as one vector: interleaved and added pairwise, then the four 128-bit quarters
    /// added. A dozen instructions where four Vector512.Sum calls take about a hundred (the JIT sums each in 128-bit steps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> FourSums(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        var t0 = Avx512F.UnpackLow(a0, a1) + Avx512F.UnpackHigh(a0, a1); // each quarter: a0, a1, a0, a1 partial sums
        var t1 = Avx512F.UnpackLow(a2, a3) + Avx512F.UnpackHigh(a2, a3);
        var u = Avx512F.Shuffle(t0, t1, 0b01_00_01_00) + Avx512F.Shuffle(t0, t1, 0b11_10_11_10); // each quarter: a0, a1, a2, a3
        var half = u.GetLower() + u.GetUpper();
        return half.GetLower() + half.GetUpper();
    }
}
