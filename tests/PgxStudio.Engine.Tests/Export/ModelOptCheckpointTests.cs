using System.Text.Json.Nodes;
using PgxStudio.Engine.Export.ModelOpt;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tests.Models;
using PgxStudio.Engine.Tokenization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// NVFP4 and FP8 exports: the tensors, dtypes and shapes vLLM's ModelOpt linear methods create, the config files
/// its loader and TensorRT-LLM read, weights that a dequantizer written here recovers within each format's error,
/// input scales from the calibration data, and the perplexity the dequantized model keeps.
/// </summary>
public class ModelOptCheckpointTests(ITestOutputHelper output)
{
    static readonly string[] Projections = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];

    static string Export(string model, string format, int samples = 8) =>
        ExportFixtures.Export(model, format, null, "export_quantization_dataset: identity", $"export_quantization_nsamples: {samples}");

    [Fact]
    public void Nvfp4_has_the_tensors_dtypes_and_shapes_vllm_creates_and_the_config_files_it_reads()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen2()); // q/k/v biases, untied lm_head
        var folder = Export(model, "nvfp4");
        var st = new RawSafetensors(folder);
        var config = ModelConfig.Load(model);
        for (int i = 0; i < config.NumLayers; i++)
        {
            foreach (var p in Projections)
            {
                var name = $"model.layers.{i}.{p}";
                var w = st.Tensors[name + ".weight"];
                long rows = w.Shape[0], columns = w.Shape[1] * 2;
                Assert.Equal("U8", w.Dtype);
                Assert.Equal("F8_E4M3", st.Tensors[name + ".weight_scale"].Dtype);
                Assert.Equal([rows, columns / 16], st.Tensors[name + ".weight_scale"].Shape);
                Assert.True(st.Scalar(name + ".weight_scale_2") > 0);
                Assert.True(st.Scalar(name + ".input_scale") > 0);
            }
            // vLLM fuses q/k/v and gate/up and keeps one per-tensor scale for each fused matrix.
            foreach (var group in new[] { new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj" }, ["mlp.gate_proj", "mlp.up_proj"] })
                foreach (var scale in new[] { "weight_scale_2", "input_scale" })
                    Assert.Single(group.Select(p => st.Scalar($"model.layers.{i}.{p}.{scale}")).Distinct());
            Assert.Equal("BF16", st.Tensors[$"model.layers.{i}.self_attn.q_proj.bias"].Dtype);
            Assert.Equal("BF16", st.Tensors[$"model.layers.{i}.input_layernorm.weight"].Dtype);
        }
        Assert.Equal("BF16", st.Tensors["model.embed_tokens.weight"].Dtype);
        Assert.Equal("BF16", st.Tensors["lm_head.weight"].Dtype);
        Assert.Equal([(long)config.VocabSize, config.HiddenSize], st.Tensors["lm_head.weight"].Shape);

        var quant = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "hf_quant_config.json")))!["quantization"]!;
        Assert.Equal("NVFP4", (string?)quant["quant_algo"]);
        Assert.Equal(16, (int)quant["group_size"]!);
        Assert.True(quant.AsObject().ContainsKey("kv_cache_quant_algo")); // vLLM requires the key, null or not
        Assert.Equal(["lm_head"], quant["exclude_modules"]!.AsArray().Select(x => (string)x!));
        var hfConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        Assert.Equal("modelopt", (string?)hfConfig["quantization_config"]!["quant_method"]);
        Assert.Equal("NVFP4", (string?)hfConfig["quantization_config"]!["quant_algo"]);
        Assert.Equal("bfloat16", (string?)hfConfig["torch_dtype"]);
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer.json")));
    }

    [Fact]
    public void Nvfp4_weights_dequantize_to_the_originals_within_the_formats_bound()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var st = new RawSafetensors(Export(model, "nvfp4"));
        using var source = new ModelWeights(model);
        var config = ModelConfig.Load(model);
        foreach (var name in Enumerable.Range(0, config.NumLayers).SelectMany(i => Projections.Select(p => $"model.layers.{i}.{p}")))
        {
            var packed = st.Tensors[name + ".weight"];
            long rows = packed.Shape[0], columns = packed.Shape[1] * 2;
            using var original = source.Take(name + ".weight", [rows, columns]);
            var w = original.to(ScalarType.Float32).data<float>().ToArray();
            var scales = st.Tensors[name + ".weight_scale"].Bytes;
            float global = st.Scalar(name + ".weight_scale_2");
            int largest = 0;
            for (long i = 0; i < w.Length; i++)
            {
                byte b = packed.Bytes[i / 2];
                int nibble = i % 2 == 0 ? b & 15 : b >> 4; // even element in the low nibble
                float step = SmallFloats.E4M3(scales[i / 16]) * global;
                float recovered = SmallFloats.E2M1(nibble) * step;
                float a = Math.Abs(w[i]) / step;
                // Half the gap between E2M1 neighbours (0.25 below 2, 0.5 below 4, 1 up to 6); above 6 it saturates,
                // which the E4M3 rounding of the block scale (at most 1/16) keeps below 6.375.
                float bound = (a < 2 ? 0.25f : a < 4 ? 0.5f : 1f) * step * 1.0001f + 1e-9f;
                Assert.True(Math.Abs(w[i] - recovered) <= bound, $"{name}[{i}] = {w[i]} recovered as {recovered} (step {step}).");
                largest = Math.Max(largest, scales[i / 16] & 0x7F);
            }
            // The global scale is amax / (6·448) of the fused group: no block scale passes 448, and a projection fused
            // with no other (o_proj, down_proj) has its largest weight's block at exactly 448.
            Assert.True(SmallFloats.E4M3((byte)largest) <= 448f);
            if (name.EndsWith("o_proj") || name.EndsWith("down_proj")) Assert.Equal(448f, SmallFloats.E4M3((byte)largest));
        }
    }

    [Fact]
    public void Fp8_weights_dequantize_to_the_originals_within_the_formats_bound()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Llama3());
        var folder = Export(model, "fp8");
        var st = new RawSafetensors(folder);
        using var source = new ModelWeights(model);
        var config = ModelConfig.Load(model);
        foreach (var name in Enumerable.Range(0, config.NumLayers).SelectMany(i => Projections.Select(p => $"model.layers.{i}.{p}")))
        {
            var q = st.Tensors[name + ".weight"];
            Assert.Equal("F8_E4M3", q.Dtype);
            using var original = source.Take(name + ".weight", q.Shape);
            var w = original.to(ScalarType.Float32).data<float>().ToArray();
            float scale = st.Scalar(name + ".weight_scale");
            for (int i = 0; i < w.Length; i++)
            {
                float recovered = SmallFloats.E4M3(q.Bytes[i]) * scale;
                // Half an E4M3 step: 1/16 of the value's power of two for normals, 2^-10 in the subnormal range.
                float bound = Math.Max(Math.Abs(w[i]) / scale / 16, MathF.Pow(2, -10)) * scale * 1.0001f;
                Assert.True(Math.Abs(w[i] - recovered) <= bound, $"{name}[{i}] = {w[i]} recovered as {recovered}.");
            }
        }
        Assert.Equal("FP8", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "hf_quant_config.json")))!["quantization"]!["quant_algo"]);
    }

    [Fact]
    public void Input_scales_are_the_calibration_texts_largest_activation_over_the_format_range()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var nvfp4 = new RawSafetensors(Export(model, "nvfp4", samples: 5));
        var fp8 = new RawSafetensors(Export(model, "fp8", samples: 5));

        // Layer 0's q/k/v read RMSNorm(embedding) of the calibration tokens: computed here from the weights alone.
        var tokenizer = HfTokenizer.Load(model);
        var samples = CalibrationSamples.Load("identity", Path.Combine(ExportFixtures.Repo, "data"), tokenizer, 5, 1024);
        using var weights = new ModelWeights(model);
        var config = ModelConfig.Load(model);
        var embedding = weights.Take("model.embed_tokens.weight", [config.VocabSize, config.HiddenSize]).to(ScalarType.Float32).data<float>().ToArray();
        var norm = weights.Take("model.layers.0.input_layernorm.weight", [config.HiddenSize]).to(ScalarType.Float32).data<float>().ToArray();
        double amax = 0;
        foreach (var id in samples.SelectMany(s => s))
        {
            var row = embedding.AsSpan(id * config.HiddenSize, config.HiddenSize).ToArray();
            double rms = Math.Sqrt(row.Average(v => (double)v * v) + config.RmsNormEps);
            for (int j = 0; j < row.Length; j++) amax = Math.Max(amax, Math.Abs(row[j] / rms * norm[j]));
        }
        Assert.Equal(amax / (6 * 448), nvfp4.Scalar("model.layers.0.self_attn.q_proj.input_scale"), 1e-4 * amax / (6 * 448));
        Assert.Equal(amax / 448, fp8.Scalar("model.layers.0.self_attn.k_proj.input_scale"), 1e-4 * amax / 448);
    }

    [Fact]
    public void The_activation_pass_computes_the_models_own_logits()
    {
        TorchRuntime.Initialize();
        foreach (var config in new[] { ModelFixtures.Qwen3(), ModelFixtures.Qwen2(), ModelFixtures.Llama3() })
        {
            using var model = new CausalLM(config, new RandomWeights(5, ScalarType.Float32, CPU, 0.2), ScalarType.Float32, CPU);
            using var ids = tensor(new long[] { 3, 17, 42, 9, 250, 1, 77 }, [1, 7]);
            using var expected = model.Forward(ids);
            var seen = new List<string>();
            using var actual = ActivationPass.Logits(model, ids, (name, x) => { seen.Add(name); return x; });
            Assert.True(allclose(expected, actual, rtol: 1e-5, atol: 1e-5), $"{config.Architecture}: the activation pass drifted from the model's forward.");
            Assert.Equal(config.NumLayers * Projections.Length, seen.Distinct().Count());
        }
    }

    /// <summary>
    /// The perplexity of the dequantized models on the shipped text is reported against the original's; what is
    /// asserted is the KL divergence of their next-token distributions from the original's, which (unlike the
    /// perplexity of a random model, which noise can lower as well as raise) grows with the error of the format.
    /// </summary>
    [Fact]
    public void Perplexity_of_the_dequantized_model_against_the_original()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3() with { NumLayers = 4 }, std: 0.15);
        var texts = ExportFixtures.ShippedText(model);
        TorchRuntime.Initialize();
        using var original = CausalLM.Load(model, ScalarType.Float32, CPU);
        var reference = texts.Select(ids => ExportFixtures.EngineLogits(original, ids)).ToList();
        double originalPerplexity = Nll.Perplexity(reference.Zip(texts));
        var kl = new Dictionary<string, double>();
        foreach (var format in new[] { "fp8", "nvfp4" })
        {
            using var lm = CausalLM.Load(Dequantized(model, Export(model, format), format), ScalarType.Float32, CPU);
            var logits = texts.Select(ids => ExportFixtures.EngineLogits(lm, ids)).ToList();
            double perplexity = Nll.Perplexity(logits.Zip(texts));
            kl[format] = reference.Zip(logits).SelectMany(p => p.First.Zip(p.Second, KullbackLeibler)).Average();
            output.WriteLine($"{format}: perplexity {perplexity:0.00} against the original's {originalPerplexity:0.00} ({(perplexity / originalPerplexity - 1) * 100:+0.00;-0.00}%), mean KL {kl[format]:0.00000}");
            Assert.True(Math.Abs(perplexity / originalPerplexity - 1) < (format == "fp8" ? 0.02 : 0.25), $"{format} moves perplexity from {originalPerplexity} to {perplexity}.");
        }
        // E2M1's relative rounding error is some 3-4 times E4M3's, and the KL divergence goes with its square.
        Assert.True(kl["fp8"] < 0.03, $"FP8's mean KL divergence from the original is {kl["fp8"]}.");
        Assert.True(kl["nvfp4"] < 0.3, $"NVFP4's mean KL divergence from the original is {kl["nvfp4"]}.");
        Assert.True(kl["nvfp4"] > 3 * kl["fp8"], $"NVFP4's KL {kl["nvfp4"]} should be well above FP8's {kl["fp8"]}.");
    }

    static double KullbackLeibler(float[] p, float[] q)
    {
        double maxP = p.Max(), maxQ = q.Max(), sumP = p.Sum(v => Math.Exp(v - maxP)), sumQ = q.Sum(v => Math.Exp(v - maxQ));
        double kl = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double logP = p[i] - maxP - Math.Log(sumP), logQ = q[i] - maxQ - Math.Log(sumQ);
            kl += Math.Exp(logP) * (logP - logQ);
        }
        return kl;
    }

    /// <summary>A float32 Hugging Face folder holding the checkpoint's weights as the tests' dequantizer recovers them.</summary>
    static string Dequantized(string model, string folder, string format)
    {
        var st = new RawSafetensors(folder);
        var dir = ExportFixtures.TempFolder("pgx-dequantized-");
        File.Copy(Path.Combine(model, "config.json"), Path.Combine(dir, "config.json"));
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, e) in st.Tensors)
        {
            if (name.EndsWith("_scale") || name.EndsWith("_scale_2")) continue;
            var module = name[..name.LastIndexOf('.')];
            float[] values;
            long[] shape = e.Shape;
            if (e.Dtype == "BF16") values = st.Bf16(name);
            else if (format == "fp8")
            {
                float scale = st.Scalar(module + ".weight_scale");
                values = e.Bytes.Select(b => SmallFloats.E4M3(b) * scale).ToArray();
            }
            else
            {
                float global = st.Scalar(module + ".weight_scale_2");
                var scales = st.Tensors[module + ".weight_scale"].Bytes;
                shape = [e.Shape[0], e.Shape[1] * 2];
                values = new float[e.Bytes.Length * 2];
                for (int i = 0; i < values.Length; i++)
                    values[i] = SmallFloats.E2M1(i % 2 == 0 ? e.Bytes[i / 2] & 15 : e.Bytes[i / 2] >> 4) * SmallFloats.E4M3(scales[i / 16]) * global;
            }
            tensors.Add((name, tensor(values, shape)));
        }
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        foreach (var (_, t) in tensors) t.Dispose();
        return dir;
    }
}
