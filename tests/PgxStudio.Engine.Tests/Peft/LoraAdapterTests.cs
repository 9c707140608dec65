using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Tests.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Peft;

public class LoraAdapterTests
{
    static readonly LoraSettings Settings = new(4, 8, 0, LoraSettings.AllLinear);
    static readonly long[] Ids = [3, 14, 15, 92, 65, 35, 89, 79];

    static Tensor Logits(CausalLM model)
    {
        using var input = tensor(Ids, [1, Ids.Length]);
        return model.Forward(input);
    }

    /// <summary>A trained-looking adapter: fresh LoRA with B perturbed, saved in PEFT format.</summary>
    static (string Base, string Adapter) Trained()
    {
        TorchRuntime.Initialize();
        var baseDir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 21);
        using var model = CausalLM.Load(baseDir, ScalarType.Float32, CPU);
        LoraAdapter.Attach(model, Settings, seed: 1);
        using (no_grad())
            foreach (var (_, p) in model.named_parameters().Where(p => p.name.EndsWith("lora_B.weight")))
                p.copy_(randn(p.shape) * 0.05);
        var adapter = Path.Combine(Directory.CreateTempSubdirectory().FullName, "adapter");
        LoraAdapter.Save(model, Settings, baseDir, adapter);
        return (baseDir, adapter);
    }

    [Fact]
    public void A_fresh_adapter_changes_nothing_and_keeps_every_base_key()
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 2);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        var baseKeys = model.named_parameters().Select(p => p.name).ToList();
        using var before = Logits(model);
        LoraAdapter.Attach(model, Settings, seed: 1);
        using var after = Logits(model);
        Assert.True(before.allclose(after, 0, 0));

        var keys = model.named_parameters().Select(p => p.name).ToList();
        Assert.All(baseKeys, k => Assert.Contains(k, keys));
        var lora = keys.Except(baseKeys).ToList();
        Assert.Equal(2 * 7 * 2, lora.Count); // A and B on 7 projections in each of 2 layers
        Assert.Contains("model.layers.0.self_attn.q_proj.lora_A.weight", lora);
        // Only LoRA weights train.
        Assert.All(model.named_parameters(), p => Assert.Equal(p.name.Contains(".lora_"), p.parameter.requires_grad));
    }

    [Fact]
    public void Training_steps_change_the_adapter_and_no_base_weight()
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 6);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        LoraAdapter.Attach(model, Settings, seed: 1);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), 1e-2);
        using var ids = tensor(Ids, [1, Ids.Length]);
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(ids);
            nn.functional.cross_entropy(logits.narrow(1, 0, Ids.Length - 1).reshape(-1, 300), ids.narrow(1, 1, Ids.Length - 1).reshape(-1)).backward();
            optimizer.step();
            optimizer.zero_grad();
        }
        bool Changed(string name, Tensor p) => !p.detach().equal(before[name]).all().item<bool>();
        foreach (var (name, p) in model.named_parameters().Where(p => !p.name.Contains(".lora_")))
            Assert.False(Changed(name, p), $"base weight {name} changed");
        Assert.All(model.named_parameters().Where(p => p.name.EndsWith("lora_B.weight")), p => Assert.True(Changed(p.name, p.parameter), p.name));
    }

    [Fact]
    public void The_saved_adapter_has_PEFT_names_shapes_and_config_and_nothing_else()
    {
        var (baseDir, adapter) = Trained();
        using var file = new SafetensorsFile(Path.Combine(adapter, "adapter_model.safetensors"));
        Assert.Equal(28, file.Entries.Count);
        Assert.All(file.Entries.Keys, k => Assert.Matches(@"^base_model\.model\.model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.lora_[AB]\.weight$", k));
        Assert.Equal(new long[] { 4, 64 }, file.Entries["base_model.model.model.layers.1.mlp.up_proj.lora_A.weight"].Shape);
        Assert.Equal(new long[] { 96, 4 }, file.Entries["base_model.model.model.layers.1.mlp.up_proj.lora_B.weight"].Shape);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(adapter, "adapter_config.json")));
        var root = config.RootElement;
        Assert.Equal("LORA", root.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", root.GetProperty("task_type").GetString());
        Assert.Equal(4, root.GetProperty("r").GetInt32());
        Assert.Equal(8, root.GetProperty("lora_alpha").GetDouble());
        Assert.Equal(baseDir, root.GetProperty("base_model_name_or_path").GetString());
        Assert.Equal(7, root.GetProperty("target_modules").GetArrayLength());
    }

    [Fact]
    public void Merged_and_unmerged_adapters_give_the_same_logits_and_differ_from_the_base()
    {
        var (baseDir, adapter) = Trained();
        using var plain = CausalLM.Load(baseDir, ScalarType.Float32, CPU);
        using var merged = CausalLM.Load(baseDir, ScalarType.Float32, CPU);
        using var live = CausalLM.Load(baseDir, ScalarType.Float32, CPU);
        LoraAdapter.Apply(merged, adapter, merge: true);
        LoraAdapter.Apply(live, adapter, merge: false);
        using var a = Logits(merged);
        using var b = Logits(live);
        using var c = Logits(plain);
        Assert.True((a - b).abs().max().item<float>() < 1e-4);
        Assert.True((a - c).abs().max().item<float>() > 1e-3);
        Assert.DoesNotContain(merged.named_parameters(), p => p.name.Contains("lora_"));
    }

    [Fact]
    public void An_adapter_for_another_model_is_refused_with_the_reason()
    {
        var (_, adapter) = Trained();
        var other = ModelFixtures.Write(ModelFixtures.Qwen3() with { HiddenSize = 32, HeadDim = 8 }, seed: 4);
        using var model = CausalLM.Load(other, ScalarType.Float32, CPU);
        var e = Assert.Throws<ModelFileException>(() => LoraAdapter.Apply(model, adapter, merge: false));
        Assert.Contains("belongs to another base model", e.Message);
        Assert.Contains("lora_target names nothing_proj", Assert.Throws<ArgumentException>(() => LoraAdapter.Attach(model, Settings with { Targets = ["nothing_proj"] }, 1)).Message);
    }
}
