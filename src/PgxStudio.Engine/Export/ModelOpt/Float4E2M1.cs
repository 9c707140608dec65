namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// FP4 E2M1, NVFP4's element format: a sign bit and the magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6 (code = sign·8 + index).
/// Rounding is ModelOpt's (NVFP4QTensor._cast_fp4): nearest, ties to the even magnitude index, saturating at 6;
/// a negative value that rounds to zero keeps its sign bit.
/// </summary>
public static class Float4E2M1
{
    public const float Max = 6f;
    public static readonly float[] Magnitudes = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f];

    // Midpoints between neighbouring magnitudes; at 0.75, 1.75 and 3.5 the upper neighbour has the even index.
    static readonly float[] Bounds = [0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f];

    public static byte Encode(float value)
    {
        byte sign = (byte)(value < 0 ? 8 : 0);
        float a = MathF.Abs(value);
        int index = 0;
        while (index < Bounds.Length && Bounds[index] < a) index++;
        if (a is 0.75f or 1.75f or 3.5f) index++;
        return (byte)(sign | index);
    }

    public static float Decode(byte code) => (code & 8) != 0 ? -Magnitudes[code & 7] : Magnitudes[code & 7];
}
