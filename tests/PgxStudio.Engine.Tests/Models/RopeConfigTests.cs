using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>
/// transformers 5 writes RoPE settings as one "rope_parameters" object instead of "rope_theta" and "rope_scaling";
/// a checkpoint it saved (the GPU proof's parity model) must load with the same rotary embedding.
/// </summary>
public class RopeConfigTests
{
    const string Shape = "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"intermediate_size\": 128, \"vocab_size\": 300";
    const string Llama3 = "\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192";

    [Fact]
    public void Rope_parameters_give_the_same_theta_and_scaling_as_the_older_keys()
    {
        var older = Load($"{{{Shape}, \"rope_theta\": 500000.0, \"rope_scaling\": {{{Llama3}}}}}");
        var newer = Load($"{{{Shape}, \"rope_parameters\": {{\"rope_theta\": 500000.0, {Llama3}}}}}");
        Assert.Equal(500000.0, newer.RopeTheta);
        Assert.Equal(older.RopeTheta, newer.RopeTheta);
        Assert.NotNull(newer.RopeScaling);
        Assert.Equal(older.RopeScaling, newer.RopeScaling);
        Assert.Equal(RotaryEmbedding.InverseFrequencies(older), RotaryEmbedding.InverseFrequencies(newer));
    }

    [Fact]
    public void Default_rope_parameters_set_only_the_theta()
    {
        var config = Load($"{{{Shape}, \"rope_parameters\": {{\"rope_theta\": 1000000.0, \"rope_type\": \"default\"}}}}");
        Assert.Equal(1_000_000.0, config.RopeTheta);
        Assert.Null(config.RopeScaling);
    }

    static ModelConfig Load(string json)
    {
        Assert.NotNull(JsonNode.Parse(json));
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        return ModelConfig.Load(dir);
    }
}
