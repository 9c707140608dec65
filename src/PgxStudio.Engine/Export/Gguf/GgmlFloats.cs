using System.Buffers.Binary;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>The unquantized ggml encodings: F32, F16 (IEEE half, round to nearest even) and BF16 (the top 16 bits
/// of an F32, rounded to nearest even, NaN kept quiet, as gguf-py's converter rounds).</summary>
public static class GgmlFloats
{
    public static ushort Half(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    public static float FromHalf(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static ushort BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
    }

    public static byte[] Encode(GgmlType type, ReadOnlySpan<float> values)
    {
        switch (type)
        {
            case GgmlType.F32:
            {
                var bytes = new byte[values.Length * 4];
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
                return bytes;
            }
            case GgmlType.F16:
            case GgmlType.BF16:
            {
                var bytes = new byte[values.Length * 2];
                for (int i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), type == GgmlType.F16 ? Half(values[i]) : BFloat16(values[i]));
                return bytes;
            }
            default:
                throw new ArgumentException($"{type} is a block-quantized type; use GgmlQuantizer.", nameof(type));
        }
    }
}
