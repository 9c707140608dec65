using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// The two NVIDIA ModelOpt checkpoint formats written here, with the names their loaders match: quant_algo "NVFP4"
/// (vLLM's ModelOptNvFp4Config, quantization="modelopt_fp4") and "FP8" (ModelOptFp8Config, quantization="modelopt").
/// </summary>
public sealed record ModelOptFormat(string Name, string QuantAlgo, string VllmQuantization, int Bits)
{
    public static readonly ModelOptFormat NvFp4 = new("nvfp4", "NVFP4", "modelopt_fp4", 4);
    public static readonly ModelOptFormat Fp8 = new("fp8", "FP8", "modelopt", 8);

    /// <summary>Modules kept in bf16 and named in exclude_modules: the output head, as ModelOpt leaves it by default
    /// (the embeddings are not linear layers, so they stay bf16 without being named).</summary>
    public static readonly string[] Excluded = ["lm_head"];

    public const string ProducerName = "pgx-studio";

    /// <summary>hf_quant_config.json, the file vLLM's get_config_filenames and TensorRT-LLM read.</summary>
    public JsonObject HfQuantConfig(string producerVersion)
    {
        var quantization = new JsonObject { ["quant_algo"] = QuantAlgo, ["kv_cache_quant_algo"] = null };
        if (this == NvFp4) quantization["group_size"] = NvFp4Quantizer.GroupSize;
        quantization["exclude_modules"] = new JsonArray(Excluded.Select(e => (JsonNode)e).ToArray());
        return new JsonObject
        {
            ["producer"] = new JsonObject { ["name"] = ProducerName, ["version"] = producerVersion },
            ["quantization"] = quantization,
        };
    }

    /// <summary>config.json's quantization_config in the form ModelOpt's convert_hf_quant_config_format writes
    /// (compressed-tensors style groups, quant_method "modelopt"), which vLLM's override_quantization_method detects.</summary>
    public JsonObject QuantizationConfig(string producerVersion)
    {
        JsonObject Numbers()
        {
            var o = new JsonObject { ["dynamic"] = false, ["num_bits"] = Bits, ["type"] = "float" };
            if (this == NvFp4) o["group_size"] = NvFp4Quantizer.GroupSize;
            return o;
        }
        return new JsonObject
        {
            ["config_groups"] = new JsonObject
            {
                ["group_0"] = new JsonObject { ["input_activations"] = Numbers(), ["weights"] = Numbers(), ["targets"] = new JsonArray("Linear") },
            },
            ["ignore"] = new JsonArray(Excluded.Select(e => (JsonNode)e).ToArray()),
            ["quant_algo"] = QuantAlgo,
            ["producer"] = new JsonObject { ["name"] = ProducerName, ["version"] = producerVersion },
            ["quant_method"] = "modelopt",
        };
    }
}
