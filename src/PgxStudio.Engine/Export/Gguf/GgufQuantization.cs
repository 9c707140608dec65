namespace PgxStudio.Engine.Export.Gguf;

/// <summary>A GGUF file type the export offers: its config name, llama.cpp's general.file_type number (enum
/// llama_ftype) and the suffix file names carry.</summary>
public sealed record GgufQuantization(string Name, uint FileType, string Suffix)
{
    public static readonly GgufQuantization F16 = new("f16", 1, "F16");
    public static readonly GgufQuantization BF16 = new("bf16", 32, "BF16");
    public static readonly GgufQuantization Q8_0 = new("q8_0", 7, "Q8_0");
    public static readonly GgufQuantization Q4_K_M = new("q4_k_m", 15, "Q4_K_M");

    public static readonly IReadOnlyList<GgufQuantization> All = [F16, BF16, Q8_0, Q4_K_M];

    public static GgufQuantization? Find(string name) =>
        All.FirstOrDefault(q => string.Equals(q.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public bool IsQuantized => this == Q8_0 || this == Q4_K_M;

    /// <summary>
    /// The type of one tensor. Vectors and norms stay F32 (convert_hf_to_gguf.py's rule). F16/BF16/Q8_0 use one type
    /// for every matrix (Q8_0 falls back to F16 for rows that are not whole blocks, as the converter does). Q4_K_M is
    /// llama-quantize's mix (llama-quant.cpp, llama_tensor_get_type): Q4_K everywhere, Q6_K for the output matrix
    /// (the embeddings when tied) and for attn_v and ffn_down in the layers use_more_bits picks, and for rows that are
    /// not whole 256-value blocks its fallbacks Q4_K→Q5_0, Q6_K→Q8_0, then F16.
    /// </summary>
    public GgmlType TypeFor(string ggufName, long[] shape, int layer, int layers, bool tiedEmbeddings)
    {
        if (shape.Length < 2 || ggufName.EndsWith("_norm.weight", StringComparison.Ordinal) || !ggufName.EndsWith(".weight", StringComparison.Ordinal))
            return GgmlType.F32;
        long columns = shape[^1];
        if (this == F16) return GgmlType.F16;
        if (this == BF16) return GgmlType.BF16;
        if (this == Q8_0) return GgmlTypes.Fits(GgmlType.Q8_0, columns) ? GgmlType.Q8_0 : GgmlType.F16;

        var type = GgmlType.Q4_K;
        if (ggufName == "output.weight" || (tiedEmbeddings && ggufName == "token_embd.weight"))
            type = GgmlTypes.Fits(GgmlType.Q4_K, columns) ? GgmlType.Q6_K : GgmlType.Q8_0;
        else if ((ggufName.EndsWith(".attn_v.weight", StringComparison.Ordinal) || ggufName.EndsWith(".ffn_down.weight", StringComparison.Ordinal))
                 && UseMoreBits(layer, layers))
            type = GgmlType.Q6_K;
        if (!GgmlTypes.Fits(type, columns))
            type = type switch { GgmlType.Q4_K => GgmlType.Q5_0, GgmlType.Q6_K => GgmlType.Q8_0, _ => type };
        return GgmlTypes.Fits(type, columns) ? type : GgmlType.F16;
    }

    /// <summary>llama-quant.cpp's use_more_bits: the first and last eighth of the layers and every third between.</summary>
    public static bool UseMoreBits(int layer, int layers) =>
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}
