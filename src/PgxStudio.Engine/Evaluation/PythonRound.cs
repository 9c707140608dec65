using System.Globalization;
using System.Numerics;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// Python's round(x, 4): the exact binary value rounded half-to-even to 4 decimals, then the nearest double.
/// Math.Round scales by 10^4 first, which is off by one in the last place now and then.
/// </summary>
internal static class PythonRound
{
    public static double To4(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0) return x;
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        int exp = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exp == 0) exp++; else mantissa |= 1L << 52;
        exp -= 1075; // |x| = mantissa * 2^exp
        BigInteger num = new BigInteger(mantissa) * 10_000, den = BigInteger.One;
        if (exp >= 0) num <<= exp; else den <<= -exp;
        var q = BigInteger.DivRem(num, den, out var rem);
        var twice = rem * 2;
        if (twice > den || (twice == den && !q.IsEven)) q += 1;
        var value = double.Parse($"{q}e-4", CultureInfo.InvariantCulture);
        return x < 0 ? -value : value;
    }
}
