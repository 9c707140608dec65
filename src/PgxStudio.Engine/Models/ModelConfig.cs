using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Models;

/// <summary>
/// A decoder-only model's shape, read from config.json. The three supported families differ only in data:
/// Qwen2 adds q/k/v biases, Qwen3 adds per-head q/k RMSNorm and an explicit head_dim, Llama-3 scales RoPE.
/// </summary>
public sealed record ModelConfig
{
    public required string Architecture { get; init; }
    public required int HiddenSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int IntermediateSize { get; init; }
    public required int VocabSize { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000;
    public Llama3RopeScaling? RopeScaling { get; init; }
    public bool AttentionBias { get; init; }
    public bool QkNorm { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 4096;
    public string TorchDtype { get; init; } = "float32";
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public static readonly string[] SupportedArchitectures = ["LlamaForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM"];

    public static ModelConfig Load(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(path))
            throw new ModelFileException($"{path} does not exist; a model folder needs the config.json of its Hugging Face download.");
        try
        {
            return Parse(JsonNode.Parse(File.ReadAllText(path))!.AsObject(), path);
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"{path} is not valid JSON ({e.Message}).", e);
        }
    }

    public static ModelConfig Parse(JsonObject json, string source)
    {
        var architecture = json["architectures"]?.AsArray().Select(a => a!.GetValue<string>()).FirstOrDefault()
                           ?? throw new ModelFileException($"{source} names no architecture (\"architectures\"); it is not a causal language model config.");
        if (!SupportedArchitectures.Contains(architecture))
            throw new ModelFileException($"{source}: architecture {architecture} is not supported; supported are {string.Join(", ", SupportedArchitectures)}.");
        if (Int(json, "num_experts") is > 0 || Int(json, "num_local_experts") is > 0)
            throw new ModelFileException($"{source}: mixture-of-experts models are not supported.");
        if (Str(json, "hidden_act") is { } act && act != "silu")
            throw new ModelFileException($"{source}: hidden_act {act} is not supported (only silu).");
        if (json["use_sliding_window"]?.GetValue<bool>() == true)
            throw new ModelFileException($"{source}: sliding-window attention is not supported.");

        int hidden = Require(json, "hidden_size", source);
        int heads = Require(json, "num_attention_heads", source);
        bool qwen3 = architecture == "Qwen3ForCausalLM";
        var config = new ModelConfig
        {
            Architecture = architecture,
            HiddenSize = hidden,
            NumLayers = Require(json, "num_hidden_layers", source),
            NumHeads = heads,
            NumKeyValueHeads = Int(json, "num_key_value_heads") ?? heads,
            HeadDim = Int(json, "head_dim") ?? hidden / heads,
            IntermediateSize = Require(json, "intermediate_size", source),
            VocabSize = Require(json, "vocab_size", source),
            RmsNormEps = Dbl(json, "rms_norm_eps") ?? 1e-6,
            // transformers 5 saves both inside "rope_parameters" ({"rope_theta": …, "rope_type": "default" | "llama3", …}).
            RopeTheta = Dbl(json, "rope_theta") ?? (json["rope_parameters"] is JsonObject rope ? Dbl(rope, "rope_theta") : null) ?? 10000,
            RopeScaling = Llama3RopeScaling.Parse(json["rope_scaling"] as JsonObject ?? json["rope_parameters"] as JsonObject, source),
            AttentionBias = architecture == "Qwen2ForCausalLM" || json["attention_bias"]?.GetValue<bool>() == true,
            QkNorm = qwen3,
            TieWordEmbeddings = json["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            MaxPositionEmbeddings = Int(json, "max_position_embeddings") ?? 4096,
            TorchDtype = Str(json, "torch_dtype") ?? Str(json, "dtype") ?? "float32",
            BosTokenId = Int(json, "bos_token_id"),
            EosTokenIds = json["eos_token_id"] switch
            {
                JsonArray a => a.Select(x => x!.GetValue<int>()).ToList(),
                JsonValue v when v.TryGetValue<int>(out var id) => [id],
                _ => [],
            },
        };
        if (config.NumHeads % config.NumKeyValueHeads != 0)
            throw new ModelFileException($"{source}: num_attention_heads {heads} is not a multiple of num_key_value_heads {config.NumKeyValueHeads}.");
        return config;
    }

    /// <summary>The config.json a Hugging Face loader expects for this shape.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = Architecture switch { "Qwen3ForCausalLM" => "qwen3", "Qwen2ForCausalLM" => "qwen2", _ => "llama" },
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = NumLayers,
            ["num_attention_heads"] = NumHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["intermediate_size"] = IntermediateSize,
            ["vocab_size"] = VocabSize,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["hidden_act"] = "silu",
            ["attention_bias"] = AttentionBias,
            ["attention_dropout"] = 0.0,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["torch_dtype"] = TorchDtype,
            ["use_cache"] = true,
            ["use_sliding_window"] = false,
        };
        if (BosTokenId is { } bos) json["bos_token_id"] = bos;
        if (EosTokenIds.Count == 1) json["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Count > 1) json["eos_token_id"] = new JsonArray(EosTokenIds.Select(i => (JsonNode)i).ToArray());
        if (RopeScaling is { } s) json["rope_scaling"] = s.ToJson();
        return json;
    }

    static int Require(JsonObject json, string key, string source) =>
        Int(json, key) ?? throw new ModelFileException($"{source} has no {key}; the config is incomplete.");

    static int? Int(JsonObject json, string key) => json[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
    static double? Dbl(JsonObject json, string key) => json[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    static string? Str(JsonObject json, string key) => json[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>Llama-3.1's RoPE frequency scaling ("rope_type": "llama3").</summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    public static Llama3RopeScaling? Parse(JsonObject? json, string source)
    {
        if (json is null) return null;
        var type = (json["rope_type"] ?? json["type"])?.GetValue<string>();
        if (type is null or "default") return null;
        if (type != "llama3")
            throw new ModelFileException($"{source}: rope_scaling type {type} is not supported (only llama3).");
        return new Llama3RopeScaling(json["factor"]!.GetValue<double>(), json["low_freq_factor"]!.GetValue<double>(),
            json["high_freq_factor"]!.GetValue<double>(), json["original_max_position_embeddings"]!.GetValue<int>());
    }

    public JsonObject ToJson() => new()
    {
        ["rope_type"] = "llama3", ["factor"] = Factor, ["low_freq_factor"] = LowFreqFactor,
        ["high_freq_factor"] = HighFreqFactor, ["original_max_position_embeddings"] = OriginalMaxPositionEmbeddings,
    };
}

/// <summary>A model file that cannot be used; the message names the file or key and what to do.</summary>
public sealed class ModelFileException(string message, Exception? inner = null) : Exception(message, inner);
