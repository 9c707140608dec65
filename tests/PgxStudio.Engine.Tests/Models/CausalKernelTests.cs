using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Peft;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>
/// Unpadded rows with no cache attend through the kernel's own causal mask (no mask tensor, grouped keys repeated);
/// everything else through the explicit mask. The two give the same logits and the same LoRA gradients.
/// </summary>
public class CausalKernelTests
{
    [Theory]
    [InlineData("qwen3", ScalarType.Float32)]  // 2 query heads per key/value head
    [InlineData("llama3", ScalarType.Float32)] // 4 per head
    [InlineData("qwen3", ScalarType.BFloat16)]
    public void The_kernels_causal_mask_gives_the_explicit_masks_logits_and_gradients(string family, ScalarType dtype)
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(family == "qwen3" ? ModelFixtures.Qwen3() : ModelFixtures.Llama3(), seed: 23);
        using var model = CausalLM.Load(dir, dtype, CPU);
        foreach (var p in model.parameters()) p.requires_grad = false;
        LoraAdapter.Attach(model, new LoraSettings(4, 8, 0, LoraSettings.AllLinear), 1);
        using (no_grad()) // B starts at zero, which would leave every A without a gradient to compare
            foreach (var (_, p) in model.named_parameters().Where(p => p.name.EndsWith("lora_B.weight")))
                p.copy_(randn(p.shape, generator: new Generator(5)) * 0.05);
        using var ids = tensor(new long[] { 5, 17, 99, 3, 250, 41, 7, 7, 128, 64, 2, 19, 33, 8 }, [2, 7]);
        using var ones = ones_like(ids);
        var positions = AttentionMasks.Positions(ones);
        Assert.Null(AttentionMasks.CausalUnlessUnpadded(ones));

        var (kernelLogits, kernelGrads) = Run(model, ids, positions, null);
        var (explicitLogits, explicitGrads) = Run(model, ids, positions, AttentionMasks.Causal(ones, 7, 0));

        double tolerance = dtype == ScalarType.Float32 ? 1e-4 : 3e-2;
        Assert.True(kernelLogits.allclose(explicitLogits, rtol: tolerance, atol: tolerance), "logits differ");
        Assert.Equal(explicitGrads.Keys.Order(), kernelGrads.Keys.Order());
        foreach (var (name, grad) in explicitGrads)
        {
            double scale = Math.Max(1e-6, grad.abs().max().item<float>());
            double diff = (grad - kernelGrads[name]).abs().max().item<float>();
            Assert.True(diff / scale < tolerance, $"{name} differs by {diff:E2} (max |grad| {scale:E2})");
        }
    }

    [Fact]
    public void A_padded_batch_keeps_the_explicit_mask()
    {
        TorchRuntime.Initialize();
        using var padded = tensor(new long[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);
        Assert.NotNull(AttentionMasks.CausalUnlessUnpadded(padded));
    }

    static (Tensor Logits, Dictionary<string, Tensor> Grads) Run(CausalLM model, Tensor ids, Tensor positions, Tensor? mask)
    {
        model.zero_grad();
        var logits = model.Logits(model.Hidden(ids, positions, mask)).to(ScalarType.Float32);
        (logits * logits.detach().softmax(-1)).sum().backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.to(ScalarType.Float32).clone());
        return (logits.detach(), grads);
    }
}
