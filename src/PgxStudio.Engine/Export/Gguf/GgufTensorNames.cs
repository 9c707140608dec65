using System.Text.RegularExpressions;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// Hugging Face parameter names to llama.cpp's (gguf-py's tensor_mapping.py / constants.py for LLAMA, QWEN2 and
/// QWEN3): token_embd, output_norm, output, and per block blk.N.attn_norm, attn_q/k/v (weight and bias),
/// attn_q_norm/attn_k_norm, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down.
/// </summary>
public static partial class GgufTensorNames
{
    static readonly Dictionary<string, string> Top = new()
    {
        ["model.embed_tokens.weight"] = "token_embd.weight",
        ["model.norm.weight"] = "output_norm.weight",
        ["lm_head.weight"] = "output.weight",
    };

    static readonly Dictionary<string, string> InBlock = new()
    {
        ["input_layernorm"] = "attn_norm",
        ["post_attention_layernorm"] = "ffn_norm",
        ["self_attn.q_proj"] = "attn_q",
        ["self_attn.k_proj"] = "attn_k",
        ["self_attn.v_proj"] = "attn_v",
        ["self_attn.o_proj"] = "attn_output",
        ["self_attn.q_norm"] = "attn_q_norm",
        ["self_attn.k_norm"] = "attn_k_norm",
        ["mlp.gate_proj"] = "ffn_gate",
        ["mlp.up_proj"] = "ffn_up",
        ["mlp.down_proj"] = "ffn_down",
    };

    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)\.(weight|bias)$")]
    private static partial Regex LayerParameter();

    /// <summary>The GGUF name and block index (-1 outside the blocks) of a parameter.</summary>
    public static (string Name, int Layer) Map(string hfName)
    {
        if (Top.TryGetValue(hfName, out var top)) return (top, -1);
        var m = LayerParameter().Match(hfName);
        if (m.Success && InBlock.TryGetValue(m.Groups[2].Value, out var part))
            return ($"blk.{m.Groups[1].Value}.{part}.{m.Groups[3].Value}", int.Parse(m.Groups[1].Value));
        throw new ArgumentException($"Parameter {hfName} has no llama.cpp tensor name; the GGUF export knows the Llama-3, Qwen2 and Qwen3 layouts only.");
    }
}
