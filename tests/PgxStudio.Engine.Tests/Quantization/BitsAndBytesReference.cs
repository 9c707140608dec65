namespace PgxStudio.Engine.Tests.Quantization;

/// <summary>
/// A second, deliberately plain reading of bitsandbytes' storage formats: scalar float loops that follow the CUDA
/// kernels' decision procedures (kernels.cu: dQuantizeNF4 / dQuantizeFP4 trees, dQuantize&lt;0&gt;'s pivot search,
/// kInt8VectorQuant) and the constants bitsandbytes publishes. It shares no code with the engine, which works
/// with vectorised torch ops instead, so agreement between the two is evidence about both.
/// </summary>
static class BitsAndBytesReference
{
    /// <summary>NF4 values as bitsandbytes' get_4bit_type("nf4") lists them.</summary>
    public static readonly float[] Nf4 =
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
        -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
        0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
        0.7229568362236023f, 1.0f,
    ];

    /// <summary>dQuantizeNF4's comparison literals, in the order the tree visits them.</summary>
    const float Root = 0.03979014977812767f;

    public static byte QuantizeNf4(float x)
    {
        if (x > Root)
        {
            if (x > 0.3893125355243683f)
                return x > 0.6427869200706482f ? (x > 0.8614784181118011f ? (byte)15 : (byte)14) : (x > 0.5016634166240692f ? (byte)13 : (byte)12);
            if (x > 0.2035212516784668f) return x > 0.2920137718319893f ? (byte)11 : (byte)10;
            return x > 0.1202552504837513f ? (byte)9 : (byte)8;
        }
        if (x > -0.33967943489551544f)
        {
            if (x > -0.13791173323988914f) return x > -0.045525018125772476f ? (byte)7 : (byte)6;
            return x > -0.23460740596055984f ? (byte)5 : (byte)4;
        }
        if (x > -0.6106329262256622f) return x > -0.4599952697753906f ? (byte)3 : (byte)2;
        return x > -0.8480964004993439f ? (byte)1 : (byte)0;
    }

    /// <summary>fp4_dequantization_lut: magnitude by the three low bits.</summary>
    public static readonly float[] Fp4Magnitude = [0.0f, 0.005208333333f, 0.66666667f, 1.0f, 0.33333333f, 0.5f, 0.16666667f, 0.25f];

    public static float Fp4(int code) => Fp4Magnitude[code & 7] * (1f - 2 * ((code & 8) >> 3));

    public static byte QuantizeFp4(float x)
    {
        var sign = x < 0 ? 8 : 0;
        x = MathF.Abs(x);
        int low;
        if (x > 0.29166667f)
            low = x > 0.583333f ? (x > 0.8333333f ? 0b011 : 0b010) : (x > 0.4166667f ? 0b101 : 0b100);
        else if (x > 0.0859375f)
            low = x > 0.20833333f ? 0b111 : 0b110;
        else
            low = x > 0.00260417f ? 0b001 : 0b000;
        return (byte)(low + sign);
    }

    public sealed record FourBit(byte[] Packed, float[] Absmax);

    /// <summary>Blocks of 64 over the flattened values; each block scaled by 1/absmax; codes packed high nibble first.</summary>
    public static FourBit Quantize4Bit(float[] w, string type, int blockSize = 64)
    {
        var blocks = (w.Length + blockSize - 1) / blockSize;
        var absmax = new float[blocks];
        var codes = new byte[w.Length + 1]; // the odd tail's partner is a zero loaded by the kernel
        for (var b = 0; b < blocks; b++)
        {
            var end = Math.Min(w.Length, (b + 1) * blockSize);
            var max = 0f;
            for (var i = b * blockSize; i < end; i++) max = Math.Max(max, Math.Abs(w[i]));
            absmax[b] = max;
            var inverse = 1f / max;
            var last = end == w.Length && w.Length % 2 == 1 ? end + 1 : end;
            for (var i = b * blockSize; i < last; i++)
            {
                var scaled = (i < w.Length ? w[i] : 0f) * inverse;
                codes[i] = type == "nf4" ? QuantizeNf4(scaled) : QuantizeFp4(scaled);
            }
        }
        var packed = new byte[(w.Length + 1) / 2];
        for (var i = 0; i < packed.Length; i++) packed[i] = (byte)((codes[2 * i] << 4) | codes[2 * i + 1]);
        return new FourBit(packed, absmax);
    }

    public static float[] Dequantize4Bit(byte[] packed, float[] absmax, int n, string type, int blockSize = 64)
    {
        var result = new float[n];
        for (var i = 0; i < n; i++)
        {
            var code = i % 2 == 0 ? packed[i / 2] >> 4 : packed[i / 2] & 0x0F;
            var value = type == "nf4" ? Nf4[code] : Fp4(code);
            result[i] = value * absmax[i / blockSize];
        }
        return result;
    }

    /// <summary>dQuantize&lt;0&gt;: the kernel's seven-step pivot search from 127, then the nearer neighbour by float midpoint.</summary>
    public static byte QuantizeDynamic(float[] code, float x)
    {
        int pivot = 127, upperPivot = 255, lowerPivot = 0;
        float lower = -1f, upper = 1f;
        var val = code[pivot];
        for (var i = 64; i > 0; i >>= 1)
        {
            if (x > val) { lowerPivot = pivot; lower = val; pivot += i; }
            else { upperPivot = pivot; upper = val; pivot -= i; }
            val = code[pivot];
        }
        if (upperPivot == 255) upper = code[upperPivot];
        if (lowerPivot == 0) lower = code[lowerPivot];
        if (x > val) return (byte)(x > (upper + val) * 0.5f ? upperPivot : pivot);
        return (byte)(x < (lower + val) * 0.5f ? lowerPivot : pivot);
    }

    public sealed record Nested(byte[] Codes, float[] Absmax, float Offset);

    /// <summary>compress_statistics: subtract the mean, then 8-bit blockwise quantize in blocks of 256.</summary>
    public static Nested QuantizeNested(float[] absmax, float[] map)
    {
        double sum = 0;
        foreach (var a in absmax) sum += a;
        var offset = (float)(sum / absmax.Length);
        var centred = absmax.Select(a => a - offset).ToArray();
        var blocks = (centred.Length + 255) / 256;
        var nested = new float[blocks];
        var codes = new byte[centred.Length];
        for (var b = 0; b < blocks; b++)
        {
            var end = Math.Min(centred.Length, (b + 1) * 256);
            var max = 0f;
            for (var i = b * 256; i < end; i++) max = Math.Max(max, Math.Abs(centred[i]));
            nested[b] = max;
            var inverse = 1f / max;
            for (var i = b * 256; i < end; i++) codes[i] = QuantizeDynamic(map, centred[i] * inverse);
        }
        return new Nested(codes, nested, offset);
    }

    public static float[] DequantizeNested(Nested nested, float[] map) =>
        nested.Codes.Select((c, i) => map[c] * nested.Absmax[i / 256] + nested.Offset).ToArray();

    public sealed record Int8(sbyte[] Codes, float[] Scales);

    /// <summary>Int8Params: the weight rounded to float16, then per row round(v · 127/absmax) with ties to even.</summary>
    public static Int8 QuantizeInt8(float[] w, int rows, int cols)
    {
        var codes = new sbyte[w.Length];
        var scales = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = new float[cols];
            for (var c = 0; c < cols; c++) row[c] = (float)(Half)w[r * cols + c];
            var max = 0f;
            foreach (var v in row) max = Math.Max(max, Math.Abs(v));
            scales[r] = max;
            var scale = 1f / max * 127f;
            for (var c = 0; c < cols; c++)
            {
                var q = MathF.Round(row[c] * scale, MidpointRounding.ToEven);
                codes[r * cols + c] = float.IsNaN(q) ? (sbyte)0 : (sbyte)q;
            }
        }
        return new Int8(codes, scales);
    }

    public static float[] DequantizeInt8(Int8 q, int cols) =>
        q.Codes.Select((c, i) => c * q.Scales[i / cols] * 7.874015718698502e-3f).ToArray();
}
