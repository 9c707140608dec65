using System.Text.Json;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>`pgx estimate`: the plan of a config, part by part, against this machine or a machine of a given size.</summary>
public class EstimateVerbTests
{
    static readonly string Example = Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_sft.yaml");

    static JsonElement Estimate(string root, params string[] args)
    {
        var (code, stdout, stderr) = Pgx.RunIn(root, TimeSpan.FromSeconds(60), ["estimate", Example, .. args, "--json"]);
        Assert.True(code == 0, stdout + stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }

    [Fact]
    public void A_demo_run_fits_this_machine_and_every_part_is_named()
    {
        var root = Directory.CreateTempSubdirectory("pgx-estimate-").FullName;
        DemoModel.Create(Path.Combine(root, "saves", "models", "pgx-demo-tiny"), "tiny", seed: 42);
        var plan = Estimate(root);
        var parts = plan.GetProperty("parts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(["weights", "LoRA + optimizer state", "gradients", "activations", "logits chunk", "workspace"], parts.Keys);
        Assert.Equal(parts.Values.Sum(), plan.GetProperty("peak_bytes").GetInt64());
        Assert.True(plan.GetProperty("fits").GetBoolean());
        Assert.Equal("MemAvailable in /proc/meminfo", plan.GetProperty("available_source").GetString());
    }

    [Fact]
    public void A_70B_model_fits_a_128_GB_machine_with_QLoRA_and_not_with_full_fine_tuning()
    {
        var root = Directory.CreateTempSubdirectory("pgx-estimate-").FullName;
        string[] model = ["model_name_or_path=meta-llama/Llama-3.3-70B-Instruct", "bf16=true", "cutoff_len=2048", "per_device_train_batch_size=1"];
        var qlora = Estimate(root, [.. model, "quantization_bit=4", "--memory-gb", "128"]);
        Assert.True(qlora.GetProperty("fits").GetBoolean(), qlora.GetProperty("summary").GetString());
        // 70.6 B parameters: the 4-bit projections and bf16 embeddings come to about 40 GB.
        Assert.InRange(qlora.GetProperty("parts").GetProperty("weights").GetInt64(), 35e9, 45e9);

        var full = Estimate(root, [.. model, "finetuning_type=full", "--memory-gb", "128"]);
        Assert.False(full.GetProperty("fits").GetBoolean());
        Assert.Contains("QLoRA", full.GetProperty("advice").GetString());
    }

    [Fact]
    public void An_unknown_model_is_one_sentence()
    {
        var root = Directory.CreateTempSubdirectory("pgx-estimate-").FullName;
        var (code, _, stderr) = Pgx.RunIn(root, TimeSpan.FromSeconds(60), "estimate", Example, "model_name_or_path=nowhere/at-all");
        Assert.Equal(2, code);
        Assert.Contains("model_name_or_path nowhere/at-all is neither a model folder", stderr);
    }
}
