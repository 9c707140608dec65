namespace PgxStudio.Engine.Models;

/// <summary>
/// The shapes of well-known Hugging Face models, from their published config.json, so the memory plan can answer
/// "does Llama-3.3-70B fit?" before anything is downloaded, and benchmarks can build random models of real shapes.
/// </summary>
public static class KnownShapes
{
    static readonly Llama3RopeScaling Llama31Rope = new(8, 1, 4, 8192);

    static ModelConfig Qwen3(int hidden, int layers, int heads, int intermediate, bool tied) => new()
    {
        Architecture = "Qwen3ForCausalLM", HiddenSize = hidden, NumLayers = layers, NumHeads = heads, NumKeyValueHeads = 8, HeadDim = 128,
        IntermediateSize = intermediate, VocabSize = 151936, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true,
        TieWordEmbeddings = tied, MaxPositionEmbeddings = 40960, TorchDtype = "bfloat16",
    };

    static ModelConfig Llama3(int hidden, int layers, int heads, int intermediate, bool tied, Llama3RopeScaling rope) => new()
    {
        Architecture = "LlamaForCausalLM", HiddenSize = hidden, NumLayers = layers, NumHeads = heads, NumKeyValueHeads = 8, HeadDim = hidden / heads,
        IntermediateSize = intermediate, VocabSize = 128256, RmsNormEps = 1e-5, RopeTheta = 500_000, RopeScaling = rope,
        TieWordEmbeddings = tied, MaxPositionEmbeddings = 131072, TorchDtype = "bfloat16",
    };

    /// <summary>By Hugging Face id (case-insensitive), with the short names benchmarks take.</summary>
    public static readonly IReadOnlyDictionary<string, ModelConfig> ById = new Dictionary<string, ModelConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["Qwen/Qwen3-0.6B"] = Qwen3(1024, 28, 16, 3072, tied: true),
        ["Qwen/Qwen3-1.7B"] = Qwen3(2048, 28, 16, 6144, tied: true),
        ["Qwen/Qwen3-4B"] = Qwen3(2560, 36, 32, 9728, tied: true),
        ["Qwen/Qwen3-8B"] = Qwen3(4096, 36, 32, 12288, tied: false),
        ["Qwen/Qwen3-14B"] = Qwen3(5120, 40, 40, 17408, tied: false),
        ["Qwen/Qwen3-32B"] = Qwen3(5120, 64, 64, 25600, tied: false),
        ["meta-llama/Llama-3.2-1B-Instruct"] = Llama3(2048, 16, 32, 8192, tied: true, new Llama3RopeScaling(32, 1, 4, 8192)),
        ["meta-llama/Llama-3.2-3B-Instruct"] = Llama3(3072, 28, 24, 8192, tied: true, new Llama3RopeScaling(32, 1, 4, 8192)),
        ["meta-llama/Llama-3.1-8B-Instruct"] = Llama3(4096, 32, 32, 14336, tied: false, Llama31Rope),
        ["meta-llama/Llama-3.3-70B-Instruct"] = Llama3(8192, 80, 64, 28672, tied: false, Llama31Rope),
    };

    /// <summary>A known id, or its name without the organisation and -Instruct (qwen3-0.6b, llama-3.1-8b).</summary>
    public static ModelConfig? Find(string name)
    {
        if (ById.TryGetValue(name, out var exact)) return exact;
        var key = ById.Keys.FirstOrDefault(k => string.Equals(Short(k), name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(k.Replace("-Instruct", ""), name, StringComparison.OrdinalIgnoreCase));
        return key is null ? null : ById[key];
    }

    public static string Short(string id) => id.Split('/')[^1].Replace("-Instruct", "").ToLowerInvariant();
}
