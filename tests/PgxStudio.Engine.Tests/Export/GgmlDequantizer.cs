using System.Buffers.Binary;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// Decodes ggml blocks back to floats, written for the tests from ggml's block layouts (ggml-common.h and the
/// dequantize_row_* functions), independent of the exporter's encoder. Also knows each type's bytes per block.
/// </summary>
static class GgmlDequantizer
{
    public const uint F32 = 0, F16 = 1, Q5_0 = 6, Q8_0 = 8, Q4_K = 12, Q6_K = 14, BF16 = 30;

    public static (int Values, int Bytes) Block(uint type) => type switch
    {
        F32 => (1, 4), F16 => (1, 2), BF16 => (1, 2), Q8_0 => (32, 34), Q5_0 => (32, 22), Q4_K => (256, 144), Q6_K => (256, 210),
        _ => throw new InvalidDataException($"ggml type {type} is not one the export writes."),
    };

    public static long ByteCount(uint type, long[] shape)
    {
        var (values, bytes) = Block(type);
        return shape.Aggregate(1L, (a, b) => a * b) / values * bytes;
    }

    public static float[] Decode(uint type, ReadOnlySpan<byte> data, long count)
    {
        var y = new float[count];
        var (values, bytes) = Block(type);
        for (long b = 0; b < count / values; b++)
        {
            var block = data.Slice((int)(b * bytes), bytes);
            var o = y.AsSpan((int)(b * values), values);
            switch (type)
            {
                case F32: o[0] = BinaryPrimitives.ReadSingleLittleEndian(block); break;
                case F16: o[0] = Half(block); break;
                case BF16: o[0] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(block) << 16); break;
                case Q8_0:
                {
                    float d = Half(block);
                    for (int j = 0; j < 32; j++) o[j] = (sbyte)block[2 + j] * d;
                    break;
                }
                case Q5_0:
                {
                    float d = Half(block);
                    uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[2..]);
                    for (int j = 0; j < 16; j++)
                    {
                        int low = block[6 + j] & 0xF | (int)((qh >> j) & 1) << 4;
                        int high = block[6 + j] >> 4 | (int)((qh >> (j + 16)) & 1) << 4;
                        o[j] = (low - 16) * d;
                        o[j + 16] = (high - 16) * d;
                    }
                    break;
                }
                case Q4_K: DecodeQ4K(block, o); break;
                case Q6_K: DecodeQ6K(block, o); break;
            }
        }
        return y;
    }

    static float Half(ReadOnlySpan<byte> b) => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b));

    /// <summary>d, dmin, 12 bytes of 6-bit scales/mins (sub-blocks 0-3 in the low 6 bits of bytes 0-7, 4-7 split
    /// between the nibbles of bytes 8-11 and the top bits of bytes 0-7), 128 bytes of nibbles.</summary>
    static void DecodeQ4K(ReadOnlySpan<byte> block, Span<float> o)
    {
        float d = Half(block), dmin = Half(block[2..]);
        var s = block.Slice(4, 12);
        var q = block.Slice(16, 128);
        for (int sub = 0; sub < 8; sub++)
        {
            int scale, min;
            if (sub < 4) { scale = s[sub] & 63; min = s[sub + 4] & 63; }
            else { scale = (s[sub + 4] & 15) | (s[sub - 4] >> 6) << 4; min = (s[sub + 4] >> 4) | (s[sub] >> 6) << 4; }
            int pair = sub / 2;          // sub-blocks 2k and 2k+1 share 32 bytes: low then high nibbles
            bool high = sub % 2 == 1;
            for (int l = 0; l < 32; l++)
            {
                int v = high ? q[pair * 32 + l] >> 4 : q[pair * 32 + l] & 15;
                o[sub * 32 + l] = d * scale * v - dmin * min;
            }
        }
    }

    /// <summary>128 bytes of low nibbles, 64 of high 2-bit pairs, 16 int8 scales, d; each half of 128 values is
    /// four runs of 32 (l, l+32, l+64, l+96) sharing ql/qh bytes.</summary>
    static void DecodeQ6K(ReadOnlySpan<byte> block, Span<float> o)
    {
        var ql = block[..128];
        var qh = block.Slice(128, 64);
        var sc = block.Slice(192, 16);
        float d = Half(block[208..]);
        for (int half = 0; half < 2; half++)
            for (int l = 0; l < 32; l++)
            {
                int lo0 = ql[half * 64 + l], lo1 = ql[half * 64 + l + 32], h = qh[half * 32 + l];
                int[] q = [(lo0 & 15) | (h & 3) << 4, (lo1 & 15) | ((h >> 2) & 3) << 4, (lo0 >> 4) | ((h >> 4) & 3) << 4, (lo1 >> 4) | ((h >> 6) & 3) << 4];
                for (int k = 0; k < 4; k++)
                {
                    int index = half * 128 + k * 32 + l;
                    o[index] = d * (sbyte)sc[index / 16] * (q[k] - 32);
                }
            }
    }
}
