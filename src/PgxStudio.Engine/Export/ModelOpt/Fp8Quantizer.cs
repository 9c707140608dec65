namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>ModelOpt's FP8 (per-tensor): scale = amax / 448, value = E4M3(w / scale); recovered as E4M3 · scale.</summary>
public static class Fp8Quantizer
{
    public static float Scale(float amax) => amax > 0 ? amax / Float8E4M3.Max : 1f;

    public static byte[] Quantize(float[] weights, float scale)
    {
        var codes = new byte[weights.Length];
        Parallel.For(0, (weights.Length + 65535) / 65536, chunk =>
        {
            int end = Math.Min(weights.Length, (chunk + 1) * 65536);
            for (int i = chunk * 65536; i < end; i++) codes[i] = Float8E4M3.Encode(weights[i] / scale);
        });
        return codes;
    }
}
