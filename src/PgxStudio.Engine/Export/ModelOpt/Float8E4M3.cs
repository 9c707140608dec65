namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// FP8 E4M3 ("e4m3fn": 4 exponent bits, bias 7, 3 mantissa bits, no infinities, largest 448), the format of NVFP4's
/// block scales and of FP8 weights. Encoding rounds to the nearest value, ties to an even mantissa (as PyTorch's
/// float8_e4m3fn cast does) and saturates at ±448 instead of producing NaN.
/// </summary>
public static class Float8E4M3
{
    public const float Max = 448f;

    // The 127 non-negative finite values by code (0x00…0x7E); the order of codes is the order of values.
    static readonly float[] Positive = Enumerable.Range(0, 0x7F).Select(c => Decode((byte)c)).ToArray();

    public static float Decode(byte code)
    {
        int exponent = (code >> 3) & 0xF, mantissa = code & 0x7;
        if (exponent == 0xF && mantissa == 0x7) return float.NaN;
        float magnitude = exponent == 0 ? mantissa / 8f * MathF.Pow(2, -6) : (1 + mantissa / 8f) * MathF.Pow(2, exponent - 7);
        return (code & 0x80) != 0 ? -magnitude : magnitude;
    }

    public static byte Encode(float value)
    {
        if (float.IsNaN(value)) return 0x7F;
        byte sign = (byte)(value < 0 || (value == 0 && float.IsNegative(value)) ? 0x80 : 0);
        float a = MathF.Abs(value);
        if (a >= Max) return (byte)(sign | 0x7E);
        // The last code whose value is at most a, then the nearer of it and the next (ties to the even code).
        int lo = 0, hi = Positive.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Positive[mid] <= a) lo = mid; else hi = mid - 1;
        }
        int code = lo;
        if (code < Positive.Length - 1)
        {
            float below = a - Positive[code], above = Positive[code + 1] - a;
            if (above < below || (above == below && (code & 1) == 1)) code++;
        }
        return (byte)(sign | code);
    }
}
