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
    internal static void Widen<T>(T* from, float* to, int rows, int k) where T : unmanaged
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
    internal static void Outputs<TWeight>(float* x, int m, int k, TWeight* w, long first, long last, float* y, long n) where TWeight : unmanaged
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
    /// for one row without this and 44.4 with it (when the one-row kernel, too, read its rows side by side), and 8 rows went from 107 to 158 GFLOP/s (into L1, or two blocks
    /// ahead, did less).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PrefetchNextFour<TWeight>(TWeight* w, int k, int i) where TWeight : unmanaged
    {
        long stride = (long)k * sizeof(TWeight);
        for (int line = 0; line < 32 * sizeof(TWeight); line += 64)
        {
            byte* next = (byte*)(w + 4L * k + i) + line;
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
    static float OneByOne<TWeight>(float* x, int k, TWeight* w) where TWeight : unmanaged => Vector512.Sum(Row(x, k, w));

    /// <summary>
    /// One x row by four weight rows, read one after the other: a single sequential stream, which the hardware
    /// prefetcher follows, with a software prefetch 4 KiB ahead. Reading the four side by side (as
    /// <see cref="FourByFour"/> must, to reuse each weight for four x rows) read a 151,936 × 1,024 bf16 matrix at
    /// 22.6–23.6 GB/s on one thread of the 2-core AMD EPYC against 24.5–25.3 this way, 28–29 for a plain read; 44–45
    /// against 48–49 on two threads (plain read 50–58). Same sums in the same order, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OneByFour<TWeight>(float* x, int k, TWeight* w, float* y) where TWeight : unmanaged =>
        FourSums(Row(x, k, w), Row(x, k, w + k), Row(x, k, w + 2 * k), Row(x, k, w + 3 * k)).Store(y);

    /// <summary>One weight row times one x row, summed into one accumulator (not yet reduced).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Row<TWeight>(float* x, int k, TWeight* w) where TWeight : unmanaged
    {
        const int Ahead = 4096;
        Vector512<float> a = default;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            for (int line = 0; line < 32 * sizeof(TWeight); line += 64) Sse.Prefetch1((byte*)(w + i) + Ahead + line);
            FloatStorage.LoadPair(w + i, out var w0, out var w1);
            a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), w0, a);
            a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 16), w1, a);
        }
        if (i < k) a = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), FloatStorage.Load(w + i), a);
        return a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void FourByFour<TWeight>(float* x, int k, TWeight* w, float* y, long n) where TWeight : unmanaged
    {
        // Row r's four sums (one per weight row) travel together.
        Four r0 = default, r1 = default, r2 = default, r3 = default;
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
            r0 = r0.Add(Vector512.Load(x + i), w00, w10, w20, w30).Add(Vector512.Load(x + i + 16), w01, w11, w21, w31);
            r1 = r1.Add(Vector512.Load(x1 + i), w00, w10, w20, w30).Add(Vector512.Load(x1 + i + 16), w01, w11, w21, w31);
            r2 = r2.Add(Vector512.Load(x2 + i), w00, w10, w20, w30).Add(Vector512.Load(x2 + i + 16), w01, w11, w21, w31);
            r3 = r3.Add(Vector512.Load(x3 + i), w00, w10, w20, w30).Add(Vector512.Load(x3 + i + 16), w01, w11, w21, w31);
        }
        if (i < k)
        {
            var t0 = FloatStorage.Load(w + i); var t1 = FloatStorage.Load(w1 + i); var t2 = FloatStorage.Load(w2 + i); var t3 = FloatStorage.Load(w3 + i);
            r0 = r0.Add(Vector512.Load(x + i), t0, t1, t2, t3);
            r1 = r1.Add(Vector512.Load(x1 + i), t0, t1, t2, t3);
            r2 = r2.Add(Vector512.Load(x2 + i), t0, t1, t2, t3);
            r3 = r3.Add(Vector512.Load(x3 + i), t0, t1, t2, t3);
        }
        r0.Sums().Store(y);
        r1.Sums().Store(y + n);
        r2.Sums().Store(y + 2 * n);
        r3.Sums().Store(y + 3 * n);
    }

    /// <summary>One x row's sums against four weight rows.</summary>
    readonly struct Four(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        readonly Vector512<float> _a0 = a0, _a1 = a1, _a2 = a2, _a3 = a3;

        /// <summary>16 values of the x row times the same 16 of each weight row, added in.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Four Add(Vector512<float> x, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> w3) => new(
            Vector512.FusedMultiplyAdd(x, w0, _a0), Vector512.FusedMultiplyAdd(x, w1, _a1),
            Vector512.FusedMultiplyAdd(x, w2, _a2), Vector512.FusedMultiplyAdd(x, w3, _a3));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Sums() => FourSums(_a0, _a1, _a2, _a3);
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
