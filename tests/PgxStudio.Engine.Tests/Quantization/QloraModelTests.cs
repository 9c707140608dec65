using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Quantization;
using PgxStudio.Engine.Tests.Models;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Quantization;

/// <summary>
/// A model whose projections are stored quantized: no full-precision projection weight is kept, it computes what
/// the dequantized weights compute, QLoRA trains only the adapter, and the adapter is an ordinary PEFT adapter
/// that loads on the base with or without quantizing it.
/// </summary>
public class QloraModelTests
{
    static readonly long[] Ids = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38];

    static CausalLM Quantized(string dir, QuantizationSettings settings) =>
        CausalLM.Load(dir, _ => new WeightStorage(ScalarType.Float32, Quantization: settings), CPU);

    [Theory]
    [InlineData(4, "nf4", true)]
    [InlineData(4, "fp4", false)]
    [InlineData(8, null, false)]
    public void Quantized_projections_keep_no_full_weight_and_compute_with_the_dequantized_one(int bits, string? type, bool nested)
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Llama3(), seed: 4, std: 0.05);
        var settings = QuantizationSettings.From(bits, "bnb", type, nested)!;
        using var plain = CausalLM.Load(dir, ScalarType.Float32, CPU);
        using var quantized = Quantized(dir, settings);

        var projections = quantized.modules().OfType<Projection>().Where(p => p.GetName() != "lm_head").ToList();
        Assert.All(projections, p => Assert.True(p.IsQuantized && p.weight is null));
        Assert.NotNull(quantized.lm_head!.weight); // the output layer stays unquantized, as bitsandbytes leaves it
        Assert.DoesNotContain(quantized.named_parameters(), p => p.name.EndsWith("_proj.weight"));

        // Plain weights replaced by their dequantized values give the same logits to float rounding.
        using (no_grad())
            foreach (var (name, module) in plain.named_modules().Where(m => m.module is Projection && m.name != "lm_head"))
            {
                var source = (Projection)quantized.named_modules().Single(m => m.name == name).module;
                using var w = source.Quantized!.Dequantize(ScalarType.Float32);
                ((Projection)module).weight!.copy_(w);
            }
        using var input = tensor(Ids, [1, Ids.Length]);
        using var expected = plain.Forward(input);
        using var actual = quantized.Forward(input);
        Assert.True(expected.allclose(actual, 1e-5, 1e-5), $"max |Δ| {(expected - actual).abs().max().item<float>():E2}");
    }

    [Fact]
    public void The_quantized_matmul_sends_the_dequantized_weights_gradient_to_its_input()
    {
        TorchRuntime.Initialize();
        var generator = new Generator(3);
        using var weight = randn([48, 64], generator: generator) * 0.1;
        using var q = QuantizedWeight.Quantize(weight, QuantizationSettings.FourBit());
        using var w = q.Dequantize(ScalarType.Float32);
        using var x1 = randn([2, 5, 64], generator: generator).requires_grad_(true);
        using var x2 = x1.detach().clone().requires_grad_(true);
        using var upstream = randn([2, 5, 48], generator: generator);
        (QuantizedLinear.Apply(x1, q, null) * upstream).sum().backward();
        (nn.functional.linear(x2, w) * upstream).sum().backward();
        Assert.True(x1.grad!.allclose(x2.grad!, 1e-5, 1e-6));
    }

    [Fact]
    public void QLoRA_steps_train_only_the_adapter_and_it_loads_on_a_plain_or_quantized_base()
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 8, std: 0.05);
        var settings = new LoraSettings(4, 8, 0, LoraSettings.AllLinear);
        var adapter = Path.Combine(Directory.CreateTempSubdirectory().FullName, "adapter");
        using (var model = Quantized(dir, QuantizationSettings.FourBit()))
        {
            LoraAdapter.Attach(model, settings, seed: 1);
            var trainable = model.parameters().Where(p => p.requires_grad).ToList();
            Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_", p.name));
            var optimizer = optim.AdamW(trainable, 1e-2);
            var step = new TrainingStep(model, checkpointing: true, lossChunk: 5);
            using var ids = tensor(Ids, [1, Ids.Length]);
            var losses = new List<double>();
            for (int i = 0; i < 8; i++)
            {
                losses.Add(step.Run(ids, ones_like(ids), ids, 1.0));
                optimizer.step();
                optimizer.zero_grad();
            }
            Assert.True(losses[^1] < losses[0] - 0.1, string.Join(", ", losses));
            LoraAdapter.Save(model, settings, dir, adapter);
        }

        using var input = tensor(Ids, [1, Ids.Length]);
        using var onQuantized = InferenceModel.Load(dir, [adapter], QuantizationSettings.FourBit());
        using var onPlain = InferenceModel.Load(dir, [adapter]);
        using var baseOnly = CausalLM.Load(dir, ScalarType.Float32, CPU);
        using var a = onQuantized.Forward(input);
        using var b = onPlain.Forward(input);
        using var c = baseOnly.Forward(input);
        // The adapter moves both bases the same way; the quantized base differs from the plain one by its rounding only.
        double adapterEffect = (b - c).abs().mean().item<float>();
        double quantizationGap = (a - b).abs().mean().item<float>();
        Assert.True(quantizationGap < adapterEffect / 3, $"gap {quantizationGap:E2}, adapter effect {adapterEffect:E2}");
    }

    [Fact]
    public void Merging_into_a_quantized_base_is_refused_in_one_sentence()
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 8);
        var adapter = Path.Combine(Directory.CreateTempSubdirectory().FullName, "adapter");
        using (var model = CausalLM.Load(dir, ScalarType.Float32, CPU))
        {
            LoraAdapter.Attach(model, new LoraSettings(4, 8, 0, LoraSettings.AllLinear), 1);
            LoraAdapter.Save(model, new LoraSettings(4, 8, 0, LoraSettings.AllLinear), dir, adapter);
        }
        using var quantized = Quantized(dir, QuantizationSettings.FourBit());
        var merge = Assert.Throws<ModelFileException>(() => LoraAdapter.Apply(quantized, adapter, merge: true));
        Assert.Contains("quantized", merge.Message);
        var two = Assert.Throws<ModelFileException>(() => InferenceModel.Load(dir, [adapter, adapter], QuantizationSettings.FourBit()));
        Assert.Contains("one adapter", two.Message);
    }
}
