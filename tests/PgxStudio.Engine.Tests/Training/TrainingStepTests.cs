using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Quantization;
using PgxStudio.Engine.Tests.Models;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Training;

/// <summary>
/// Gradient checkpointing and the chunked loss change where memory goes, not the numbers: the loss and every
/// gradient equal the plain path (whole logits, every activation kept) to fp32 rounding, for LoRA, freeze and
/// full fine-tuning of a tied-embedding Qwen3 and an untied Llama, on a padded batch whose prompts are masked.
/// </summary>
public class TrainingStepTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "qwen3", "lora" }, { "qwen3", "full" }, { "qwen3", "freeze" }, { "llama3", "lora" }, { "llama3", "full" }, { "qwen3", "qlora" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Checkpointing_and_chunking_give_the_plain_loss_and_gradients(string family, string method)
    {
        var reference = Gradients(family, method, new TrainingStepSettings(Checkpointing: false, Chunk: 0));
        foreach (var settings in new[] { new TrainingStepSettings(false, 7), new TrainingStepSettings(true, 7), new TrainingStepSettings(true, 4096) })
        {
            var other = Gradients(family, method, settings);
            Assert.Equal(reference.Loss, other.Loss, 5);
            Assert.Equal(reference.Grads.Keys.Order(), other.Grads.Keys.Order());
            foreach (var (name, grad) in reference.Grads)
            {
                double scale = Math.Max(1e-6, grad.Select(Math.Abs).Max());
                double diff = grad.Zip(other.Grads[name], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(diff / scale < 1e-4, $"{family} {method} {settings}: {name} differs by {diff:E2} (max |grad| {scale:E2})");
            }
        }
    }

    [Fact]
    public void Freeze_tuning_of_the_last_layer_leaves_lower_layers_without_gradients()
    {
        var result = Gradients("qwen3", "freeze", new TrainingStepSettings(true, 7));
        Assert.All(result.Grads.Keys, name => Assert.StartsWith("model.layers.1.", name));
        Assert.NotEmpty(result.Grads);
    }

    [Fact]
    public void With_lora_dropout_the_recomputed_forward_draws_the_same_masks()
    {
        // The same step twice gives the same gradients, and they differ from a step without dropout: the masks are
        // real, and the checkpointed backward recomputes each layer with the masks its forward used.
        var first = Gradients("qwen3", "lora", new TrainingStepSettings(true, 7), dropout: 0.3);
        var again = Gradients("qwen3", "lora", new TrainingStepSettings(true, 7), dropout: 0.3);
        var none = Gradients("qwen3", "lora", new TrainingStepSettings(true, 7), dropout: 0);
        Assert.Equal(first.Loss, again.Loss);
        foreach (var (name, grad) in first.Grads) Assert.Equal(grad, again.Grads[name]);
        Assert.NotEqual(first.Loss, none.Loss, 6);
    }

    [Fact]
    public void A_batch_without_labelled_tokens_has_zero_loss_and_no_gradient()
    {
        TorchRuntime.Initialize();
        using var model = CausalLM.Load(ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 3), ScalarType.Float32, CPU);
        LoraAdapter.Attach(model, new LoraSettings(4, 8, 0, LoraSettings.AllLinear), 1);
        using var ids = tensor(new long[] { 5, 6, 7, 8 }, [1, 4]);
        using var labels = full([1, 4], (long)EncodedExample.IgnoreIndex);
        var step = new TrainingStep(model, checkpointing: true, lossChunk: 7);
        Assert.Equal(0, step.Run(ids, ones_like(ids), labels, 1.0));
        Assert.All(model.parameters().Where(p => p.requires_grad), p => Assert.True(p.grad is null || p.grad.abs().max().item<float>() == 0));
    }

    [Theory]
    [InlineData("lora")]
    [InlineData("full")]
    public void A_bf16_step_computes_in_bf16_and_keeps_what_it_trains_and_its_gradients_in_fp32(string method)
    {
        // bf16 rounds every activation, so the numbers move by bf16's precision (8 bits), not more: the loss within
        // 1% of fp32's and each trained matrix's gradient pointing the same way (cosine > 0.99).
        var reference = Gradients("qwen3", method, new TrainingStepSettings(true, 7));
        var bf16 = Gradients("qwen3", method, new TrainingStepSettings(true, 7), dtype: ScalarType.BFloat16);
        Assert.Equal(reference.Loss, bf16.Loss, reference.Loss * 0.01);
        Assert.Equal(reference.Grads.Keys.Order(), bf16.Grads.Keys.Order());
        Assert.All(bf16.Dtypes, p => Assert.Equal(p.Key.Contains("lora_") || method == "full" ? ScalarType.Float32 : ScalarType.BFloat16, p.Value));
        foreach (var (name, grad) in reference.Grads)
        {
            var other = bf16.Grads[name];
            double dot = grad.Zip(other, (a, b) => (double)a * b).Sum();
            double cosine = dot / Math.Sqrt(grad.Sum(a => (double)a * a) * other.Sum(b => (double)b * b));
            Assert.True(cosine > 0.99, $"{method}: {name}'s bf16 gradient has cosine {cosine:F4} to fp32's");
        }
    }

    public sealed record TrainingStepSettings(bool Checkpointing, int Chunk);

    sealed record Result(double Loss, Dictionary<string, float[]> Grads, Dictionary<string, ScalarType> Dtypes);

    static Result Gradients(string family, string method, TrainingStepSettings settings, double dropout = 0, ScalarType dtype = ScalarType.Float32)
    {
        TorchRuntime.Initialize();
        var config = family == "qwen3" ? ModelFixtures.Qwen3() : ModelFixtures.Llama3();
        var dir = ModelFixtures.Write(config, seed: 17);
        // Full fine-tuning keeps fp32 master weights whatever the compute dtype, as the trainer stores them.
        // QLoRA: the base's projections 4-bit (nf4, double quantization); the recomputed layer dequantizes them again.
        using var model = CausalLM.Load(dir, _ => new WeightStorage(dtype, method == "full" && dtype != ScalarType.Float32 ? _ => true : null,
            Quantization: method == "qlora" ? QuantizationSettings.FourBit() : null), CPU);
        foreach (var p in model.parameters()) p.requires_grad = false;
        switch (method)
        {
            case "lora" or "qlora":
                LoraAdapter.Attach(model, new LoraSettings(4, 8, dropout, LoraSettings.AllLinear), 1);
                using (no_grad())
                    foreach (var (_, p) in model.named_parameters().Where(p => p.name.EndsWith("lora_B.weight")))
                        p.copy_(randn(p.shape, generator: new Generator(5)) * 0.05);
                break;
            case "full":
                foreach (var p in model.parameters()) p.requires_grad = true;
                break;
            case "freeze":
                foreach (var (name, p) in model.named_parameters().Where(p => p.name.StartsWith("model.layers.1."))) p.requires_grad = true;
                break;
        }
        model.train();
        // Two rows, right-padded: the second is shorter; prompt positions are masked with -100.
        long[] ids = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43, 38, 32, 7, 9, 11, 0, 0, 0, 0, 0, 0];
        long[] attention = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
        long ignore = EncodedExample.IgnoreIndex;
        long[] labels = [ignore, ignore, ignore, 92, 65, 35, 89, 79, 32, 38, 46, 26, ignore, ignore, 32, 7, 9, 11, ignore, ignore, ignore, ignore, ignore, ignore];
        using var input = tensor(ids, [2, 12]);
        using var mask = tensor(attention, [2, 12]);
        using var target = tensor(labels, [2, 12]);
        var step = new TrainingStep(model, settings.Checkpointing, settings.Chunk, dropout > 0 ? 42 : null);
        random.manual_seed(9);
        double loss = step.Run(input, mask, target, 0.5, step: 1, micro: 0) ;
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
        var dtypes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        return new Result(loss, grads, dtypes);
    }
}
