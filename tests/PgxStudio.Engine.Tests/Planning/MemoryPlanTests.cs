using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Tests.Models;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Planning;

public class MemoryPlanTests
{
    public static TheoryData<string> Families => new() { "qwen3", "qwen2", "llama3" };

    [Theory]
    [MemberData(nameof(Families))]
    public void The_plan_counts_exactly_the_parameters_the_model_builds(string family)
    {
        TorchRuntime.Initialize();
        var config = family switch { "qwen3" => ModelFixtures.Qwen3(), "qwen2" => ModelFixtures.Qwen2(), _ => ModelFixtures.Llama3() };
        using var model = new CausalLM(config, new RandomWeights(1, ScalarType.Float32, CPU), ScalarType.Float32, CPU);
        var built = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var planned = ModelParameters.Of(config).ToDictionary(p => p.Name, p => p.Shape);
        Assert.Equal(built.Keys.Order(), planned.Keys.Order());
        Assert.All(built, p => Assert.Equal(p.Value, planned[p.Key]));
    }

    [Theory]
    // Parameter counts published on the models' Hugging Face pages (safetensors metadata).
    [InlineData("meta-llama/Llama-3.1-8B-Instruct", 8_030_261_248L)]
    [InlineData("meta-llama/Llama-3.3-70B-Instruct", 70_553_706_496L)]
    [InlineData("meta-llama/Llama-3.2-3B-Instruct", 3_212_749_824L)]
    [InlineData("Qwen/Qwen3-8B", 8_190_735_360L)]
    public void Known_shapes_have_their_published_parameter_counts(string id, long parameters)
    {
        Assert.Equal(parameters, ModelParameters.Of(KnownShapes.Find(id)!).Sum(p => p.Elements));
    }

    static MemoryPlan Plan(string finetuning, int? bits = null, bool bf16 = false, bool checkpointing = true, int cutoff = 1024, long? free = null) =>
        MemoryPlan.ForTraining(KnownShapes.Find("qwen3-0.6b")!, new TrainingArguments
        {
            FinetuningType = finetuning, QuantizationBit = bits, Bf16 = bf16, DisableGradientCheckpointing = !checkpointing, CutoffLen = cutoff,
        }, CPU, free is { } f ? new AvailableMemory(f, "test") : null);

    static long Part(MemoryPlan plan, string name) => plan.Parts.Single(p => p.Name.StartsWith(name)).Bytes;

    [Fact]
    public void Each_lever_lowers_the_part_it_should()
    {
        TorchRuntime.Initialize();
        var lora = Plan("lora");
        Assert.Equal(["weights", "LoRA + optimizer state", "gradients", "activations", "logits chunk", "workspace"], lora.Parts.Select(p => p.Name));
        // 4-bit projections: ~0.52 bytes per projection parameter instead of 4 (the embedding stays unquantized).
        Assert.True(Part(Plan("lora", bits: 4), "weights") < Part(lora, "weights") / 2);
        Assert.True(Part(Plan("lora", bf16: true), "weights") * 2 == Part(lora, "weights"));
        Assert.True(Part(Plan("lora", checkpointing: false), "activations") > 4 * Part(lora, "activations"));
        Assert.True(Part(Plan("lora", cutoff: 512), "activations") < Part(lora, "activations"));
        // Full fine-tuning in bf16 keeps fp32 master weights: the weights do not shrink, and the optimizer holds two moments each.
        var full = Plan("full", bf16: true);
        Assert.Equal(Part(Plan("full"), "weights"), Part(full, "weights"));
        Assert.Equal(2 * Part(full, "gradients"), Part(full, "optimizer"));
    }

    [Fact]
    public void A_run_that_cannot_fit_names_the_levers_in_one_sentence()
    {
        TorchRuntime.Initialize();
        var plan = Plan("lora", checkpointing: false, free: 1_000_000_000);
        Assert.False(plan.Fits);
        var sentence = plan.Refusal(new TrainingArguments { DisableGradientCheckpointing = true, CutoffLen = 1024 }).ToString();
        Assert.Contains("QLoRA", sentence);
        Assert.Contains("cutoff_len (now 1024)", sentence);
        Assert.Contains("gradient checkpointing", sentence);
        Assert.Contains("1.0 GB is free (test)", sentence);
        Assert.EndsWith(".", sentence);
        Assert.DoesNotContain(". ", sentence); // one sentence
        Assert.True(Plan("lora", bits: 4, free: 100_000_000_000).Fits);
    }
}
