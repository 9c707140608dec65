namespace PgxStudio.Engine.Export.Gguf;

/// <summary>The ggml tensor types a GGUF export writes, with ggml's own numbers (ggml.h's enum ggml_type).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q5_0 = 6,
    Q8_0 = 8,
    Q4_K = 12,
    Q6_K = 14,
    BF16 = 30,
}

/// <summary>How many values one block of a type holds and how many bytes it takes (ggml-common.h's block structs).</summary>
public static class GgmlTypes
{
    public static int BlockValues(GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
        GgmlType.Q5_0 or GgmlType.Q8_0 => 32,
        GgmlType.Q4_K or GgmlType.Q6_K => 256,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q5_0 => 2 + 4 + 16,        // d, qh[4], qs[16]
        GgmlType.Q8_0 => 2 + 32,            // d, qs[32]
        GgmlType.Q4_K => 2 + 2 + 12 + 128,  // d, dmin, scales[12], qs[128]
        GgmlType.Q6_K => 128 + 64 + 16 + 2, // ql[128], qh[64], scales[16], d
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Bytes of one row of <paramref name="values"/> values; the row length must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long values)
    {
        int block = BlockValues(type);
        if (values % block != 0) throw new ArgumentException($"A row of {values} values is not a whole number of {type} blocks of {block}.");
        return values / block * BlockBytes(type);
    }

    public static bool Fits(GgmlType type, long rowLength) => rowLength % BlockValues(type) == 0;
}
