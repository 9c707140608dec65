using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Cli;

/// <summary>The model shapes benchmarks can build with random weights.</summary>
public static class BenchShapes
{
    public const string Names = "demo-tiny, demo-small, qwen3-0.6b, qwen3-1.7b, qwen3-4b, qwen3-8b";

    public static ModelConfig Config(string shape, int? layers)
    {
        var config = shape switch
        {
            "demo-tiny" => DemoModel.Config("tiny", 576),
            "demo-small" => DemoModel.Config("small", 2048),
            // The published Qwen3 configs' shapes (config.json of each Qwen/Qwen3-* repository).
            "qwen3-0.6b" => Qwen3(hidden: 1024, layers: 28, heads: 16, intermediate: 3072, tied: true),
            "qwen3-1.7b" => Qwen3(hidden: 2048, layers: 28, heads: 16, intermediate: 6144, tied: true),
            "qwen3-4b" => Qwen3(hidden: 2560, layers: 36, heads: 32, intermediate: 9728, tied: true),
            "qwen3-8b" => Qwen3(hidden: 4096, layers: 36, heads: 32, intermediate: 12288, tied: false),
            _ => throw new ArgumentException($"--shape {shape} is not one of {Names}."),
        };
        return layers is { } n ? config with { NumLayers = n } : config;
    }

    static ModelConfig Qwen3(int hidden, int layers, int heads, int intermediate, bool tied) => new()
    {
        Architecture = "Qwen3ForCausalLM", HiddenSize = hidden, NumLayers = layers, NumHeads = heads, NumKeyValueHeads = 8, HeadDim = 128,
        IntermediateSize = intermediate, VocabSize = 151936, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true,
        TieWordEmbeddings = tied, MaxPositionEmbeddings = 40960,
    };
}
