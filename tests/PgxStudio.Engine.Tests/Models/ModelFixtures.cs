using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>Small random checkpoints of each family, written as Hugging Face folders.</summary>
public static class ModelFixtures
{
    public static ModelConfig Qwen3(int vocab = 300) => new()
    {
        Architecture = "Qwen3ForCausalLM", HiddenSize = 64, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2, HeadDim = 24,
        IntermediateSize = 96, VocabSize = vocab, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true, TieWordEmbeddings = true,
        MaxPositionEmbeddings = 512,
    };

    public static ModelConfig Qwen2() => Qwen3() with { Architecture = "Qwen2ForCausalLM", QkNorm = false, AttentionBias = true, HeadDim = 16, TieWordEmbeddings = false };

    public static ModelConfig Llama3() => Qwen3() with
    {
        Architecture = "LlamaForCausalLM", QkNorm = false, HeadDim = 16, TieWordEmbeddings = false, RopeTheta = 500_000,
        RopeScaling = new Llama3RopeScaling(8, 1, 4, 64), NumKeyValueHeads = 1,
    };

    /// <summary>Writes config.json and model.safetensors of a seeded random model; returns the folder.</summary>
    public static string Write(ModelConfig config, long seed = 1, double std = 0.2)
    {
        TorchRuntime.Initialize();
        var dir = Directory.CreateTempSubdirectory("pgx-model-").FullName;
        using var model = new CausalLM(config, new RandomWeights(seed, ScalarType.Float32, CPU, std), ScalarType.Float32, CPU);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson().ToJsonString());
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), model.StateTensors().ToList());
        return dir;
    }
}
