using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Cli;

/// <summary>The model shapes benchmarks can build with random weights.</summary>
public static class BenchShapes
{
    public static ModelConfig Config(string shape, int? layers)
    {
        var config = shape switch
        {
            "demo-tiny" => DemoModel.Config("tiny", 576),
            "demo-small" => DemoModel.Config("small", 2048),
            "qwen3-0.6b" => new ModelConfig
            {
                Architecture = "Qwen3ForCausalLM", HiddenSize = 1024, NumLayers = 28, NumHeads = 16, NumKeyValueHeads = 8, HeadDim = 128,
                IntermediateSize = 3072, VocabSize = 151936, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true,
                TieWordEmbeddings = true, MaxPositionEmbeddings = 40960,
            },
            _ => throw new ArgumentException($"--shape {shape} is not one of demo-tiny, demo-small, qwen3-0.6b."),
        };
        return layers is { } n ? config with { NumLayers = n } : config;
    }
}
