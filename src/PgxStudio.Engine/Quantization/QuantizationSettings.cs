using PgxStudio.Engine.Sentences;
namespace PgxStudio.Engine.Quantization;

/// <summary>
/// How the frozen base weights are stored for QLoRA, in LLaMA-Factory's keys: `quantization_bit` 4 or 8 with
/// `quantization_method: bnb`, and for 4 bits `quantization_type` (nf4 | fp4) and `double_quantization`.
/// LLaMA-Factory hands these to transformers' BitsAndBytesConfig (`load_in_4bit`, `bnb_4bit_quant_type`,
/// `bnb_4bit_use_double_quant`, or `load_in_8bit`); the engine stores the weights in bitsandbytes' own layout.
/// </summary>
public sealed record QuantizationSettings
{
    /// <summary>bitsandbytes' default block for 4-bit weights (Params4bit blocksize=64): one absmax per 64 values.</summary>
    public const int FourBitBlockSize = 64;

    /// <summary>bitsandbytes quantizes the 4-bit absmax values in blocks of 256 when double quantization is on.</summary>
    public const int NestedBlockSize = 256;

    /// <summary>4 (bitsandbytes Linear4bit) or 8 (bitsandbytes Linear8bitLt's int8 weights).</summary>
    public int Bits { get; }

    /// <summary>"nf4" or "fp4" for 4 bits; null for 8 bits, which have no type.</summary>
    public string? Type { get; }

    /// <summary>bitsandbytes' compress_statistics: the per-block absmax values are themselves 8-bit quantized. Always false for 8 bits.</summary>
    public bool DoubleQuantization { get; }

    /// <summary>Values per absmax for 4 bits (64); null for 8 bits, whose scale is one per row.</summary>
    public int? BlockSize { get; }

    QuantizationSettings(int bits, string? type, bool doubleQuantization, int? blockSize)
    {
        Bits = bits;
        Type = type;
        DoubleQuantization = doubleQuantization;
        BlockSize = blockSize;
    }

    /// <summary>4-bit bitsandbytes storage; LLaMA-Factory's defaults are nf4 with double quantization.</summary>
    public static QuantizationSettings FourBit(string type = "nf4", bool doubleQuantization = true) =>
        type is "nf4" or "fp4"
            ? new(4, type, doubleQuantization, FourBitBlockSize)
            : throw new SentenceException(TypeSentence(type));

    /// <summary>int8 weight-only storage as bitsandbytes' Int8Params keep it (CB codes, SCB row scales).</summary>
    public static QuantizationSettings EightBit() => new(8, null, false, null);

    /// <summary>
    /// Reads LLaMA-Factory's quantization keys; null when `quantization_bit` is unset (no quantization), as
    /// LLaMA-Factory ignores the other keys then. Anything the engine cannot train on throws one sentence.
    /// </summary>
    public static QuantizationSettings? From(int? quantizationBit, string? method, string? type, bool? doubleQuantization)
    {
        if (quantizationBit is null) return null;
        method ??= "bnb";
        if (method != "bnb")
            throw new SentenceException(new Sentence("quantization_method: {0} is not supported for training; use quantization_method: bnb with quantization_bit: 4 (quantization_type: nf4 or fp4) or 8.", method));
        if (quantizationBit is not (4 or 8))
            throw new SentenceException(new Sentence("quantization_bit: {0} is not supported; bitsandbytes (quantization_method: bnb) trains with quantization_bit: 4 or 8.", quantizationBit));
        // LLaMA-Factory declares quantization_type as Literal["fp4", "nf4"], so a wrong type fails even for 8 bits.
        if (type is not (null or "nf4" or "fp4")) throw new SentenceException(TypeSentence(type));
        return quantizationBit == 8 ? EightBit() : FourBit(type ?? "nf4", doubleQuantization ?? true);
    }

    static Sentence TypeSentence(string? type) =>
        new Sentence("quantization_type: {0} is not supported; use quantization_type: nf4 or fp4 with quantization_bit: 4.", type);

    public override string ToString() => Describe().ToString();

    /// <summary>"4-bit nf4 with double quantization (bitsandbytes)", in words a page can translate.</summary>
    public Sentence Describe() =>
        Bits == 8 ? new Sentence("int8 (bitsandbytes)")
        : DoubleQuantization ? new Sentence("4-bit {0} with double quantization (bitsandbytes)", Type)
        : new Sentence("4-bit {0} (bitsandbytes)", Type);
}
