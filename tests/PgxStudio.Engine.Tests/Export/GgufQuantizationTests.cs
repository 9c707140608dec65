using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// Quantized GGUF exports: the type llama-quantize's Q4_K_M mix gives each tensor, blocks that decode (with the
/// tests' own decoder) to the source weights within each type's error, llama.cpp computing exactly what those
/// decoded weights compute, and the perplexity each type costs.
/// </summary>
public class GgufQuantizationTests(ITestOutputHelper output)
{
    /// <summary>256-wide, so rows are whole Q4_K/Q6_K super-blocks; 8 layers, so use_more_bits picks some of each.</summary>
    static ModelConfig Wide() => ModelFixtures.Qwen3() with { HiddenSize = 256, NumHeads = 4, NumKeyValueHeads = 2, HeadDim = 64, IntermediateSize = 512, NumLayers = 8 };

    [Fact]
    public void Q4_K_M_gives_each_tensor_llama_quantizes_type_and_the_fallbacks_for_narrow_rows()
    {
        var wide = new GgufFileReader(ExportFixtures.Gguf(ExportFixtures.Export(ExportFixtures.WithDemoTokenizer(Wide(), std: 0.1), "gguf", "q4_k_m")));
        var types = wide.Tensors.ToDictionary(t => t.Name, t => t.Type);
        // use_more_bits(i, 8): i < 1, i >= 7, (i - 1) % 3 == 2 → layers 0, 3, 6, 7.
        int[] moreBits = [0, 3, 6, 7];
        for (int i = 0; i < 8; i++)
        {
            uint expected = moreBits.Contains(i) ? GgmlDequantizer.Q6_K : GgmlDequantizer.Q4_K;
            Assert.Equal(expected, types[$"blk.{i}.attn_v.weight"]);
            Assert.Equal(expected, types[$"blk.{i}.ffn_down.weight"]);
            Assert.Equal(GgmlDequantizer.Q4_K, types[$"blk.{i}.attn_q.weight"]);
            Assert.Equal(GgmlDequantizer.Q4_K, types[$"blk.{i}.ffn_up.weight"]);
            Assert.Equal(GgmlDequantizer.F32, types[$"blk.{i}.attn_norm.weight"]);
            Assert.Equal(GgmlDequantizer.F32, types[$"blk.{i}.attn_q_norm.weight"]);
        }
        Assert.Equal(GgmlDequantizer.Q6_K, types["token_embd.weight"]); // tied: it is also the output matrix
        Assert.False(types.ContainsKey("output.weight"));
        Assert.Equal(15u, wide.Metadata["general.file_type"]);

        // 64-wide rows are not whole 256-value super-blocks: Q4_K falls back to Q5_0, Q6_K to Q8_0.
        var narrow = new GgufFileReader(ExportFixtures.Gguf(ExportFixtures.Export(ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3()), "gguf", "q4_k_m")));
        Assert.Equal(GgmlDequantizer.Q5_0, narrow.Tensor("blk.0.attn_q.weight").Type);
        Assert.Equal(GgmlDequantizer.Q8_0, narrow.Tensor("token_embd.weight").Type);
    }

    public static TheoryData<string, double> Bounds => new()
    {
        // Relative RMS error of each type on Gaussian weights, with headroom: ~0.005 for 8 bits, ~0.05 for 4.
        { "q8_0", 0.01 },
        { "q4_k_m", 0.12 },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Blocks_decode_to_the_source_weights_within_the_types_error(string quantization, double relativeRms)
    {
        var model = ExportFixtures.WithDemoTokenizer(Wide(), std: 0.1);
        var gguf = new GgufFileReader(ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", quantization)));
        using var source = new ModelWeights(model);
        foreach (var info in gguf.Tensors)
        {
            var hfName = HfName(info.Name);
            using var original = source.Take(hfName, info.Shape);
            var expected = original.to(ScalarType.Float32).data<float>().ToArray();
            var decoded = GgmlDequantizer.Decode(info.Type, gguf.Data(info, GgmlDequantizer.ByteCount(info.Type, info.Shape)), expected.Length);
            double error = Math.Sqrt(expected.Zip(decoded, (a, b) => (double)(a - b) * (a - b)).Average());
            double rms = Math.Sqrt(expected.Average(a => (double)a * a));
            double bound = info.Type == GgmlDequantizer.F32 ? 0 : info.Type == GgmlDequantizer.Q8_0 ? 0.01 : relativeRms;
            Assert.True(error <= bound * rms, $"{info.Name} ({info.Type}): RMS error {error:G3} against RMS {rms:G3} exceeds {bound}.");
            if (info.Type == GgmlDequantizer.Q8_0) AssertQ8Blocks(info.Name, expected, decoded);
        }
    }

    /// <summary>Q8_0 rounds each value to the nearest step d = amax/127 of its block (d itself stored as fp16).</summary>
    static void AssertQ8Blocks(string name, float[] expected, float[] decoded)
    {
        for (int b = 0; b < expected.Length / 32; b++)
        {
            float d = expected.AsSpan(b * 32, 32).ToArray().Max(MathF.Abs) / 127;
            for (int j = b * 32; j < b * 32 + 32; j++)
                Assert.True(MathF.Abs(expected[j] - decoded[j]) <= d / 2 + 127 * d / 2048 + 1e-7f, $"{name}[{j}]: {expected[j]} decoded as {decoded[j]} (step {d}).");
        }
    }

    /// <summary>
    /// llama.cpp running the quantized file and the engine running the tests' decoding of its blocks compute the
    /// same logits (two layers: layer 0 in Q4_K, layer 1 and the tied embeddings in Q6_K), up to llama.cpp's own
    /// rounding of activations to 8 bits in its quantized dot products (about 0.6% per product, some 2% after the
    /// fourteen products of two layers): a block layout read differently would scramble them entirely.
    /// </summary>
    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_k_m")]
    public void Llama_cpp_computes_what_the_decoded_blocks_compute(string quantization)
    {
        var model = ExportFixtures.WithDemoTokenizer(Wide() with { NumLayers = 2 }, std: 0.1);
        var path = ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", quantization));
        var decodedModel = DecodedModelFolder(new GgufFileReader(path), model);
        TorchRuntime.Initialize();
        using var engine = CausalLM.Load(decodedModel, ScalarType.Float32, CPU);
        using var gguf = new LlamaCppModel(path);
        double worst = 0, scale = 0, squaredDifference = 0, squared = 0;
        foreach (var ids in ExportFixtures.ShippedText(model).Take(4))
        {
            var expected = ExportFixtures.EngineLogits(engine, ids);
            var actual = gguf.Logits(ids);
            for (int i = 0; i < ids.Count; i++)
                for (int v = 0; v < expected[i].Length; v++)
                {
                    double d = expected[i][v] - actual[i][v];
                    worst = Math.Max(worst, Math.Abs(d));
                    scale = Math.Max(scale, Math.Abs(expected[i][v]));
                    squaredDifference += d * d;
                    squared += (double)expected[i][v] * expected[i][v];
                }
        }
        double relative = Math.Sqrt(squaredDifference / squared);
        output.WriteLine($"{quantization}: llama.cpp against its decoded blocks in the engine: relative RMS difference {relative:P2}, max |difference| {worst:0.0000}, max |logit| {scale:0.000}");
        Assert.True(relative < 0.05, $"llama.cpp's logits differ from the decoded weights' by {relative:P2} RMS.");
        Assert.True(worst < 0.08 * scale, $"llama.cpp's logits differ from the decoded weights' by up to {worst} (logits up to {scale}).");
    }

    [Fact]
    public void Perplexity_of_each_type_against_F16()
    {
        var model = ExportFixtures.WithDemoTokenizer(Wide(), std: 0.1);
        var texts = ExportFixtures.ShippedText(model);
        var perplexity = new Dictionary<string, double>();
        foreach (var q in new[] { "f16", "bf16", "q8_0", "q4_k_m" })
        {
            using var gguf = new LlamaCppModel(ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", q)));
            perplexity[q] = Nll.Perplexity(texts.Select(ids => (gguf.Logits(ids), ids)));
        }
        foreach (var (q, p) in perplexity) output.WriteLine($"{q}: perplexity {p:0.00} ({(p / perplexity["f16"] - 1) * 100:+0.00;-0.00}% against F16)");
        double Drift(string q) => Math.Abs(perplexity[q] / perplexity["f16"] - 1);
        Assert.True(Drift("q8_0") < 0.01, $"Q8_0 moves perplexity {Drift("q8_0"):P2} from F16.");
        Assert.True(Drift("q4_k_m") > Drift("q8_0"), "Q4_K_M should cost more than Q8_0.");
        Assert.True(Drift("q4_k_m") < 0.15, $"Q4_K_M moves perplexity {Drift("q4_k_m"):P2} from F16.");
    }

    /// <summary>A Hugging Face folder whose weights are the GGUF's blocks decoded (Qwen3: no rope permutation).</summary>
    static string DecodedModelFolder(GgufFileReader gguf, string model)
    {
        var dir = ExportFixtures.TempFolder("pgx-decoded-");
        File.Copy(Path.Combine(model, "config.json"), Path.Combine(dir, "config.json"));
        TorchRuntime.Initialize();
        var tensors = gguf.Tensors.Select(info =>
        {
            var values = GgmlDequantizer.Decode(info.Type, gguf.Data(info, GgmlDequantizer.ByteCount(info.Type, info.Shape)), info.Shape.Aggregate(1L, (a, b) => a * b));
            return (HfName(info.Name), tensor(values, info.Shape));
        }).ToList();
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        foreach (var (_, t) in tensors) t.Dispose();
        return dir;
    }

    /// <summary>llama.cpp's names back to Hugging Face's, written out here rather than taken from the exporter.</summary>
    static string HfName(string gguf)
    {
        switch (gguf)
        {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
        }
        var parts = gguf.Split('.');
        string module = parts[2] switch
        {
            "attn_norm" => "input_layernorm", "ffn_norm" => "post_attention_layernorm", "attn_q" => "self_attn.q_proj",
            "attn_k" => "self_attn.k_proj", "attn_v" => "self_attn.v_proj", "attn_output" => "self_attn.o_proj",
            "attn_q_norm" => "self_attn.q_norm", "attn_k_norm" => "self_attn.k_norm", "ffn_gate" => "mlp.gate_proj",
            "ffn_up" => "mlp.up_proj", "ffn_down" => "mlp.down_proj", _ => throw new InvalidDataException($"Unexpected tensor {gguf}."),
        };
        return $"model.layers.{parts[1]}.{module}.{parts[3]}";
    }
}
