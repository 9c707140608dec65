using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// <see cref="RmsNorm"/> for inference on the CPU in one pass a row, with the rounding of its libtorch form: the row
/// in fp32, x·rsqrt(mean(x²) + eps) rounded to the dtype, times the weight, rounded again. libtorch took eight
/// operations for it (casts, square, mean, add, rsqrt, two products), and a decode step has four norms a layer: about
/// 1,000 small operations a step for Qwen3-0.6B, each with its dispatch and its allocation; a prefill's norms each
/// wrote four or five full-size temporaries. Rows are independent, so a row's result does not depend on the batch.
/// </summary>
public static unsafe class FusedRmsNorm
{
    /// <summary>Rows a thread claims at a time when a prefill's many rows are split (see <see cref="ProductTeam"/>).</summary>
    const int ChunkRows = 64;

    public static bool Applies(Tensor x, Tensor weight) =>
        FloatStorage.ForInference(x) && weight.device_type == TorchSharp.DeviceType.CPU && weight.dim() == 1 && x.shape[^1] == weight.shape[0];

    public static Tensor Forward(Tensor x, Tensor weight, double eps)
    {
        using var scope = NewDisposeScope();
        var w = Precision.Cast(weight, x.dtype).contiguous();
        var y = empty_like(x);
        int width = (int)x.shape[^1];
        long rows = x.numel() / width;
        byte* xp = FloatStorage.Pointer(x), wp = FloatStorage.Pointer(w), yp = FloatStorage.Pointer(y);
        bool bf16 = x.dtype == ScalarType.BFloat16;
        int chunks = (int)((rows + ChunkRows - 1) / ChunkRows);
        ProductTeam.Run(DecodeThreads.ProductWidth, chunks, chunk =>
        {
            long last = Math.Min(rows, (chunk + 1L) * ChunkRows);
            for (long row = (long)chunk * ChunkRows; row < last; row++)
                if (bf16) Row((ushort*)xp + row * width, (ushort*)wp, (ushort*)yp + row * width, width, (float)eps);
                else Row((float*)xp + row * width, (float*)wp, (float*)yp + row * width, width, (float)eps);
        });
        return y.MoveToOuterDisposeScope();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Row<T>(T* x, T* w, T* y, int width, float eps) where T : unmanaged
    {
        var squares = Vector512<float>.Zero;
        int i = 0;
        for (; i + 16 <= width; i += 16)
        {
            var v = FloatStorage.Load(x + i);
            squares = Vector512.FusedMultiplyAdd(v, v, squares);
        }
        float sum = Vector512.Sum(squares);
        for (; i < width; i++)
        {
            float v = FloatStorage.Scalar(x + i);
            sum += v * v;
        }
        float scale = 1f / MathF.Sqrt(sum / width + eps);
        var scales = Vector512.Create(scale);
        for (i = 0; i + 16 <= width; i += 16)
            FloatStorage.Store(y + i, FloatStorage.Load(w + i) * FloatStorage.Round<T>(FloatStorage.Load(x + i) * scales));
        for (; i < width; i++)
            FloatStorage.Store(y + i, FloatStorage.Scalar(w + i) * FloatStorage.Round<T>(FloatStorage.Scalar(x + i) * scale));
    }
}
