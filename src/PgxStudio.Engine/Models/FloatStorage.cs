using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Values stored as fp32 (<c>float</c>) or bf16 (<c>ushort</c>), read as fp32 and written back with libtorch's
/// rounding, for the CPU inference kernels (<see cref="SmallBatchLinear"/>, <see cref="DecodeAttention"/>,
/// <see cref="FusedRmsNorm"/>). The storage type is a type parameter, so each kernel compiles once per dtype.
/// </summary>
static unsafe class FloatStorage
{
    /// <summary>16 values as fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load<T>(T* at) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.Load((float*)at)
            // bf16 is the top half of an fp32: widen 16 of them and shift into place.
            : Vector512.ShiftLeft(Avx512F.ConvertToVector512UInt32(Vector256.Load((ushort*)at)), 16).AsSingle();

    /// <summary>
    /// 32 values as two fp32 vectors. fp32: the first 16, then the next 16. bf16: the 16 at even positions, then the 16
    /// at odd ones: each 32-bit lane holds a pair, so a shift and a mask take both out, where widening them in order
    /// costs a shuffle per 16. Whatever multiplies them must hold its other operand in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair<T>(T* at, out Vector512<float> first, out Vector512<float> second) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            first = Vector512.Load((float*)at);
            second = Vector512.Load((float*)at + 16);
        }
        else
        {
            var pairs = Vector512.Load((uint*)at);
            first = (pairs << 16).AsSingle();
            second = (pairs & Vector512.Create(0xFFFF0000u)).AsSingle();
        }
    }

    /// <summary>One value as fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar<T>(T* at) where T : unmanaged =>
        typeof(T) == typeof(float) ? *(float*)at : BitConverter.Int32BitsToSingle(*(ushort*)at << 16);

    /// <summary>Stores an fp32 value; bf16 rounds to nearest even, as libtorch's conversion does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(T* at, float value) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) *(float*)at = value;
        else *(ushort*)at = ToBfloat16(value);
    }

    /// <summary>The value as the storage type holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round<T>(float value) where T : unmanaged =>
        typeof(T) == typeof(float) ? value : BitConverter.Int32BitsToSingle(ToBfloat16(value) << 16);

    /// <summary>16 values as the storage type holds them (bf16: rounded to nearest even, NaN kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round<T>(Vector512<float> values) where T : unmanaged =>
        typeof(T) == typeof(float) ? values : Vector512.ConditionalSelect(Vector512.Equals(values, values), (RoundedBits(values) << 16).AsSingle(), values);

    /// <summary>Stores 16 fp32 values; bf16 rounds to nearest even, as libtorch's conversion does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(T* at, Vector512<float> values) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) values.Store((float*)at);
        else
        {
            var bits = Vector512.ConditionalSelect(Vector512.Equals(values, values).AsUInt32(), RoundedBits(values), Vector512.Create(0x7FC0u));
            Avx512F.ConvertToVector256UInt16(bits).Store((ushort*)at);
        }
    }

    /// <summary>The top 16 bits of each value rounded to nearest even, in the low half of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<uint> RoundedBits(Vector512<float> values)
    {
        var bits = values.AsUInt32();
        return (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ushort ToBfloat16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>
    /// Whether a CPU inference kernel may take this tensor: the kernels are on (AVX-512, <see cref="SmallBatchLinear.Enabled"/>),
    /// no gradient is being recorded, and it is a contiguous fp32 or bf16 tensor on the CPU.
    /// </summary>
    public static bool ForInference(Tensor t) =>
        SmallBatchLinear.Enabled && !is_grad_enabled() && t.device_type == TorchSharp.DeviceType.CPU
        && t.dtype is ScalarType.Float32 or ScalarType.BFloat16 && t.is_contiguous();

    /// <summary>The first element of a CPU tensor's memory (the tensor must stay alive while it is used).</summary>
    public static byte* Pointer(Tensor t) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
