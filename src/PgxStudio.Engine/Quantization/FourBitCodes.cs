namespace PgxStudio.Engine.Quantization;

/// <summary>
/// The 4-bit data types of bitsandbytes: what each of the 16 codes means, and where bitsandbytes' CUDA kernels
/// (`dQuantizeNF4`, `dQuantizeFP4` in csrc/kernels.cu) draw the line between neighbouring codes. Both kernels are
/// decision trees over strict `x &gt; threshold` tests, so a code is the number of thresholds a value exceeds:
/// a value exactly on a threshold takes the lower code.
/// </summary>
public static class FourBitCodes
{
    /// <summary>NormalFloat4 in code order, the float constants of bitsandbytes' `get_4bit_type("nf4")` and kernels.cu.</summary>
    public static IReadOnlyList<float> NormalFloat { get; } =
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    ];

    /// <summary>
    /// NF4's 15 decision points, ascending, as `dQuantizeNF4` writes them: float literals of the double midpoints of
    /// neighbouring values. Four of them (−0.848, 0.120, 0.502, 0.861) round to the float next to the float32
    /// midpoint that bitsandbytes' torch fallback uses; the GPU kernel's literals are what QLoRA runs have used.
    /// </summary>
    public static IReadOnlyList<float> NormalFloatThresholds { get; } =
    [
        -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
        -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
        0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
        0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f,
    ];

    /// <summary>
    /// FP4 (1 sign, 2 exponent, 1 mantissa bit) magnitudes by the three low code bits, divided by FP4's largest
    /// value 12 as `get_4bit_type("fp4")` does; the sign bit (0b1000) negates. These are `fp4_dequantization_lut`.
    /// </summary>
    public static IReadOnlyList<float> FloatMagnitudes { get; } =
        [0f, 0.0625f / 12f, 8f / 12f, 12f / 12f, 4f / 12f, 6f / 12f, 2f / 12f, 3f / 12f];

    /// <summary>FP4 in code order: codes 0–7 positive, 8–15 their negatives (code 8 is −0).</summary>
    public static IReadOnlyList<float> Float { get; } =
        Enumerable.Range(0, 16).Select(c => (c & 8) != 0 ? -FloatMagnitudes[c & 7] : FloatMagnitudes[c & 7]).ToArray();

    /// <summary>
    /// `dQuantizeFP4`'s seven magnitude thresholds, ascending, as the kernel writes them. They are not all exact
    /// midpoints (0.583333 sits below 7/12), and bitsandbytes' GPU output follows these, so the engine does too.
    /// </summary>
    public static IReadOnlyList<float> FloatThresholds { get; } =
        [0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f];

    /// <summary>The three low code bits for a magnitude that exceeds i of <see cref="FloatThresholds"/>.</summary>
    public static IReadOnlyList<byte> FloatCodeByRank { get; } = [0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011];

    /// <summary>The code bitsandbytes' kernels produce for NaN (an all-zero block scales 0 by 1/0): every test fails, leaving code 0.</summary>
    public const byte NotANumberCode = 0;

    public static IReadOnlyList<float> Table(string type) => type switch
    {
        "nf4" => NormalFloat,
        "fp4" => Float,
        _ => throw new ArgumentException($"quantization_type: {type} is not a 4-bit type; use nf4 or fp4."),
    };
}
