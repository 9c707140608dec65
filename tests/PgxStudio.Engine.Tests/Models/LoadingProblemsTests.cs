using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>Every way a model folder can be wrong ends in one sentence naming the file, key or setting.</summary>
public class LoadingProblemsTests
{
    static string Folder() => ModelFixtures.Write(ModelFixtures.Qwen3());

    static ModelFileException Refused(string dir) => Assert.Throws<ModelFileException>(() => CausalLM.Load(dir, ScalarType.Float32, CPU).Dispose());

    static void Rewrite(string dir, Func<List<(string Name, Tensor Tensor)>, List<(string, Tensor)>> change)
    {
        var path = Path.Combine(dir, "model.safetensors");
        List<(string, Tensor)> tensors;
        using (var file = new SafetensorsFile(path)) tensors = file.Entries.Keys.Select(n => (n, file.Read(n))).ToList();
        SafetensorsWriter.Write(path, change(tensors));
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var dir = Folder();
        Rewrite(dir, t => t.Where(x => x.Name != "model.layers.1.mlp.up_proj.weight").ToList());
        Assert.Contains("no tensor model.layers.1.mlp.up_proj.weight", Refused(dir).Message);
    }

    [Fact]
    public void An_extra_tensor_is_named()
    {
        var dir = Folder();
        Rewrite(dir, t => [.. t, ("model.layers.2.mlp.up_proj.weight", zeros(2, 2))]);
        Assert.Contains("model.layers.2.mlp.up_proj.weight", Refused(dir).Message);
    }

    [Fact]
    public void A_mis_shaped_tensor_is_named_with_both_shapes()
    {
        var dir = Folder();
        Rewrite(dir, t => t.Select(x => x.Name == "model.norm.weight" ? (x.Name, ones(65)) : x).ToList());
        var message = Refused(dir).Message;
        Assert.Contains("model.norm.weight has shape [65]", message);
        Assert.Contains("[64]", message);
    }

    [Fact]
    public void A_vocabulary_size_that_disagrees_with_the_embedding_is_refused()
    {
        var dir = Folder();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["vocab_size"] = 512;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        Assert.Contains("model.embed_tokens.weight has shape [300, 64] but config.json implies [512, 64]", Refused(dir).Message);
    }

    [Theory]
    [InlineData("{\"architectures\": [\"MistralForCausalLM\"], \"hidden_size\": 8}", "architecture MistralForCausalLM is not supported")]
    [InlineData("{\"architectures\": [\"Qwen3ForCausalLM\"], \"num_experts\": 64}", "mixture-of-experts")]
    [InlineData("{\"architectures\": [\"LlamaForCausalLM\"], \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4}, \"hidden_size\": 8, \"num_attention_heads\": 2, \"num_hidden_layers\": 1, \"intermediate_size\": 8, \"vocab_size\": 8}", "rope_scaling type yarn")]
    [InlineData("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8}", "has no num_attention_heads")]
    [InlineData("{not json", "is not valid JSON")]
    public void Unsupported_or_broken_configs_are_refused(string json, string expected)
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        Assert.Contains(expected, Assert.Throws<ModelFileException>(() => ModelConfig.Load(dir)).Message);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        Assert.Contains("config.json does not exist", Refused(dir).Message);
        File.WriteAllText(Path.Combine(dir, "config.json"), ModelFixtures.Qwen3().ToJson().ToJsonString());
        Assert.Contains("has neither model.safetensors nor model.safetensors.index.json", Refused(dir).Message);
    }

    [Fact]
    public void Truncated_and_corrupt_safetensors_are_refused()
    {
        TorchRuntime.Initialize();
        var dir = Folder();
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Contains("past the end of its", Refused(dir).Message);

        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("shorter than its 8-byte header", Refused(dir).Message);

        var header = "{\"x\": {\"dtype\": \"F8_E4M3\", \"shape\": [1], \"data_offsets\": [0, 1]}}"u8.ToArray();
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)header.Length), .. header, 0]);
        Assert.Contains("F8_E4M3, a dtype this studio does not read", Refused(dir).Message);

        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1L << 40), 0, 0]);
        Assert.Contains("cannot hold", Refused(dir).Message);
    }
}
