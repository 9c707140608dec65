using System.Buffers.Binary;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// Encodes rows of float weights in ggml's block formats, following ggml-quants.c's reference quantizers (the ones
/// llama-quantize uses when no importance matrix is given): Q8_0, Q5_0, Q4_K and Q6_K. Byte layouts are ggml's
/// block structs; rows are independent, so they are encoded in parallel.
/// </summary>
public static class GgmlQuantizer
{
    const int QK = 256; // ggml's QK_K, the super-block of the k-quants
    const float GroupMaxEps = 1e-15f;

    public static byte[] Encode(GgmlType type, float[] values, int rowLength)
    {
        if (type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) return GgmlFloats.Encode(type, values);
        if (values.Length % rowLength != 0) throw new ArgumentException($"{values.Length} values are not whole rows of {rowLength}.");
        int rows = values.Length / rowLength;
        int rowBytes = (int)GgmlTypes.RowBytes(type, rowLength);
        var output = new byte[(long)rows * rowBytes];
        Parallel.For(0, rows, row =>
        {
            var x = values.AsSpan(row * rowLength, rowLength);
            var y = output.AsSpan(row * rowBytes, rowBytes);
            int blocks = rowLength / GgmlTypes.BlockValues(type), size = GgmlTypes.BlockBytes(type);
            for (int b = 0; b < blocks; b++)
            {
                var xb = x.Slice(b * GgmlTypes.BlockValues(type), GgmlTypes.BlockValues(type));
                var yb = y.Slice(b * size, size);
                switch (type)
                {
                    case GgmlType.Q8_0: Q8_0(xb, yb); break;
                    case GgmlType.Q5_0: Q5_0(xb, yb); break;
                    case GgmlType.Q4_K: Q4_K(xb, yb); break;
                    case GgmlType.Q6_K: Q6_K(xb, yb); break;
                    default: throw new ArgumentOutOfRangeException(nameof(type));
                }
            }
        });
        return output;
    }

    // ggml's nearest_int: round half to even.
    static int NearestInt(float f) => (int)MathF.Round(f);

    static void PutHalf(Span<byte> dst, float v) => BinaryPrimitives.WriteUInt16LittleEndian(dst, GgmlFloats.Half(v));

    static float RoundTripHalf(float v) => GgmlFloats.FromHalf(GgmlFloats.Half(v));

    /// <summary>block_q8_0: fp16 d = amax/127, then 32 int8 values round(x/d) (half away from zero, as roundf).</summary>
    static void Q8_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        float amax = 0;
        foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
        float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
        PutHalf(y, d);
        for (int j = 0; j < 32; j++) y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
    }

    /// <summary>block_q5_0: fp16 d = max/-16 (max the value of largest magnitude), 5-bit values split into low nibbles
    /// (element j and j+16 share a byte) and a 32-bit mask of fifth bits.</summary>
    static void Q5_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        float amax = 0, max = 0;
        foreach (var v in x)
            if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
        float d = max / -16f, id = d != 0 ? 1f / d : 0f;
        PutHalf(y, d);
        uint qh = 0;
        for (int j = 0; j < 16; j++)
        {
            int xi0 = Math.Min(31, (int)(x[j] * id + 16.5f));
            int xi1 = Math.Min(31, (int)(x[j + 16] * id + 16.5f));
            y[6 + j] = (byte)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= (uint)((xi0 & 0x10) >> 4) << j;
            qh |= (uint)((xi1 & 0x10) >> 4) << (j + 16);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(y[2..], qh);
    }

    /// <summary>block_q4_K: 8 sub-blocks of 32 with a 6-bit scale and 6-bit min each (packed in 12 bytes), fp16 d and
    /// dmin for the super-block, 4-bit values two per byte (sub-blocks 2i and 2i+1 share 32 bytes).</summary>
    static void Q4_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<byte> L = stackalloc byte[QK];
        Span<byte> laux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++)
        {
            var xs = x.Slice(32 * j, 32);
            float sumX2 = 0;
            foreach (var v in xs) sumX2 += v * v;
            float avX = MathF.Sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(xs[l]);
            scales[j] = MakeQkx2Quants(32, 15, xs, weights, L.Slice(32 * j, 32), out mins[j], laux, -1f, 0.1f, 20);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        var packed = y.Slice(4, 12);
        packed.Clear();
        float invScale = maxScale > 0 ? 63f / maxScale : 0f, invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < 8; j++)
        {
            int ls = Math.Min(63, (int)(byte)NearestInt(invScale * scales[j]));
            int lm = Math.Min(63, (int)(byte)NearestInt(invMin * mins[j]));
            if (j < 4)
            {
                packed[j] = (byte)ls;
                packed[j + 4] = (byte)lm;
            }
            else
            {
                packed[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                packed[j - 4] |= (byte)((ls >> 4) << 6);
                packed[j] |= (byte)((lm >> 4) << 6);
            }
        }
        PutHalf(y, maxScale / 63f);
        PutHalf(y[2..], maxMin / 63f);
        float d = GgmlFloats.FromHalf(BinaryPrimitives.ReadUInt16LittleEndian(y)), dmin = GgmlFloats.FromHalf(BinaryPrimitives.ReadUInt16LittleEndian(y[2..]));

        for (int j = 0; j < 8; j++)
        {
            var (sc, m) = ScaleMinK4(j, packed);
            float dj = d * sc;
            if (dj == 0) continue;
            float dm = dmin * m;
            for (int i = 0; i < 32; i++) L[32 * j + i] = (byte)Math.Clamp(NearestInt((x[32 * j + i] + dm) / dj), 0, 15);
        }

        var q = y.Slice(16, 128);
        for (int j = 0, o = 0; j < QK; j += 64, o += 32)
            for (int l = 0; l < 32; l++) q[o + l] = (byte)(L[j + l] | (L[j + l + 32] << 4));
    }

    /// <summary>ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j from the 12 packed bytes.</summary>
    internal static (int Scale, int Min) ScaleMinK4(int j, ReadOnlySpan<byte> q) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));

    /// <summary>block_q6_K: 16 sub-blocks of 16 with int8 scales, fp16 d, 6-bit values as low nibbles (ql) and two
    /// high bits (qh), interleaved in halves of 128.</summary>
    static void Q6_K(ReadOnlySpan<float> x, Span<byte> y)
    {
        Span<sbyte> L = stackalloc sbyte[QK];
        Span<float> scales = stackalloc float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++)
        {
            float scale = MakeQxQuants(16, 32, x.Slice(16 * ib, 16), L.Slice(16 * ib, 16));
            scales[ib] = scale;
            if (MathF.Abs(scale) > maxAbsScale)
            {
                maxAbsScale = MathF.Abs(scale);
                maxScale = scale;
            }
        }
        y.Clear();
        if (maxAbsScale < GroupMaxEps) return; // all zero: d = 0

        var ql = y[..128];
        var qh = y.Slice(128, 64);
        var sc = y.Slice(192, 16);
        float iscale = -128f / maxScale;
        PutHalf(y[208..], 1 / iscale);
        for (int ib = 0; ib < 16; ib++) sc[ib] = (byte)(sbyte)Math.Min(127, NearestInt(iscale * scales[ib]));
        float d = GgmlFloats.FromHalf(BinaryPrimitives.ReadUInt16LittleEndian(y[208..]));
        for (int j = 0; j < 16; j++)
        {
            float dj = d * (sbyte)sc[j];
            if (dj == 0) continue;
            for (int i = 0; i < 16; i++) L[16 * j + i] = (sbyte)(Math.Clamp(NearestInt(x[16 * j + i] / dj), -32, 31) + 32);
        }
        for (int j = 0, lo = 0, ho = 0; j < QK; j += 128, lo += 64, ho += 32)
            for (int l = 0; l < 32; l++)
            {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[lo + l] = (byte)(q1 | (q3 << 4));
                ql[lo + l + 32] = (byte)(q2 | (q4 << 4));
                qh[ho + l] = (byte)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
            }
    }

    /// <summary>ggml's make_qkx2_quants: scale and min of an asymmetric nmax-level grid, refined over nstep grids.</summary>
    static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> L, out float theMin,
        Span<byte> laux, float rmin, float rdelta, int nstep)
    {
        float min = x[0], max = x[0], sumW = weights[0], sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            L[..n].Clear();
            theMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min), scale = 1 / iscale, bestError = 0;
        for (int i = 0; i < n; i++)
        {
            int l = NearestInt(iscale * (x[i] - min));
            L[i] = (byte)Math.Max(0, Math.Min(nmax, l));
            float diff = scale * L[i] + min - x[i];
            bestError += weights[i] * diff * diff;
        }
        for (int step = 0; step <= nstep; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++)
            {
                int l = Math.Max(0, Math.Min(nmax, NearestInt(iscale * (x[i] - min))));
                laux[i] = (byte)l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0)
            {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++)
                {
                    float diff = thisScale * laux[i] + thisMin - x[i];
                    error += weights[i] * diff * diff;
                }
                if (error < bestError)
                {
                    laux[..n].CopyTo(L);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin = -min;
        return scale;
    }

    /// <summary>ggml's make_qx_quants with rmse_type 1 and no importance weights: a symmetric grid whose scale is
    /// refined over 18 nearby grids, weighting each value by its square.</summary>
    static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> L)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            L[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max, sumLX = 0, sumL2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = Math.Max(-nmax, Math.Min(nmax - 1, NearestInt(iscale * x[i])));
            L[i] = (sbyte)(l + nmax);
            float w = x[i] * x[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0f, best = scale * sumLX;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumLX = sumL2 = 0;
            for (int i = 0; i < n; i++)
            {
                int l = Math.Max(-nmax, Math.Min(nmax - 1, NearestInt(iscale * x[i])));
                float w = x[i] * x[i];
                sumLX += w * x[i] * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2)
            {
                for (int i = 0; i < n; i++) L[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, NearestInt(iscale * x[i]))));
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }
}
