using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Planning;

/// <summary>
/// Every parameter a <see cref="CausalLM"/> of this config holds, by its Hugging Face name and shape, without
/// building it: what the memory plan counts. A test keeps it equal to the model's own named_parameters.
/// </summary>
public static class ModelParameters
{
    public sealed record Entry(string Name, long[] Shape)
    {
        public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
        /// <summary>A projection's weight (a matrix a LoRA or a quantizer can take), not a norm, bias or embedding.</summary>
        public bool IsProjection => Shape.Length == 2 && Name.StartsWith("model.layers.", StringComparison.Ordinal);
    }

    public static IReadOnlyList<Entry> Of(ModelConfig c)
    {
        long h = c.HiddenSize, q = (long)c.NumHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim, i = c.IntermediateSize;
        var list = new List<Entry> { new("model.embed_tokens.weight", [c.VocabSize, h]) };
        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            string p = $"model.layers.{layer}.";
            list.Add(new(p + "self_attn.q_proj.weight", [q, h]));
            list.Add(new(p + "self_attn.k_proj.weight", [kv, h]));
            list.Add(new(p + "self_attn.v_proj.weight", [kv, h]));
            list.Add(new(p + "self_attn.o_proj.weight", [h, q]));
            if (c.AttentionBias)
            {
                list.Add(new(p + "self_attn.q_proj.bias", [q]));
                list.Add(new(p + "self_attn.k_proj.bias", [kv]));
                list.Add(new(p + "self_attn.v_proj.bias", [kv]));
            }
            if (c.QkNorm)
            {
                list.Add(new(p + "self_attn.q_norm.weight", [c.HeadDim]));
                list.Add(new(p + "self_attn.k_norm.weight", [c.HeadDim]));
            }
            list.Add(new(p + "mlp.gate_proj.weight", [i, h]));
            list.Add(new(p + "mlp.up_proj.weight", [i, h]));
            list.Add(new(p + "mlp.down_proj.weight", [h, i]));
            list.Add(new(p + "input_layernorm.weight", [h]));
            list.Add(new(p + "post_attention_layernorm.weight", [h]));
        }
        list.Add(new("model.norm.weight", [h]));
        if (!c.TieWordEmbeddings) list.Add(new("lm_head.weight", [c.VocabSize, h]));
        return list;
    }
}
