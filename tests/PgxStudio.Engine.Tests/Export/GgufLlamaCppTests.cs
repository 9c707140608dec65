using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>GGUF exports read by llama.cpp itself: its tokenizer, its forward pass and its metadata.</summary>
public class GgufLlamaCppTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every reference string gets Hugging Face's ids from llama.cpp, with one documented difference: llama.cpp does
    /// not apply the tokenizer's NFC normalizer (Qwen's, the demo model's), so text that is not already NFC has to be
    /// normalized before it reaches llama.cpp; normalized, it gets the reference ids too.
    /// </summary>
    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    [InlineData("demo-format")]
    public void Llama_cpp_tokenizes_the_reference_strings_as_hugging_face_does(string tokenizer)
    {
        var model = tokenizer == "demo-format" ? ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3()) : ExportFixtures.WithRealTokenizer(tokenizer);
        using var gguf = new LlamaCppModel(ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", "f16")));
        var cases = Tokenization.TokenizerFixtures.Expected(tokenizer);
        bool normalizes = tokenizer != "llama3";
        var wrong = cases.Where(c => !gguf.Tokenize(normalizes ? c.Text.Normalize(System.Text.NormalizationForm.FormC) : c.Text).SequenceEqual(c.Ids)).ToList();
        Assert.True(wrong.Count == 0, $"llama.cpp tokenizes {wrong.Count} of {cases.Count} strings differently, e.g.\n" + string.Join("\n", wrong.Take(5).Select(c =>
            $"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Ids)}], llama.cpp [{string.Join(",", gguf.Tokenize(c.Text))}]")));
        if (normalizes)
        {
            // The corpus has non-NFC strings, and llama.cpp does split them differently when they arrive unnormalized.
            var denormal = cases.Where(c => !c.Text.IsNormalized(System.Text.NormalizationForm.FormC)).ToList();
            Assert.NotEmpty(denormal);
            Assert.Contains(denormal, c => !gguf.Tokenize(c.Text).SequenceEqual(c.Ids));
        }
    }

    public static TheoryData<string> Families => new() { "qwen3", "qwen2", "llama3" };

    [Theory]
    [MemberData(nameof(Families))]
    public void F16_logits_agree_with_the_engine_and_perplexity_is_within_half_a_percent(string family)
    {
        var config = family switch { "qwen2" => ModelFixtures.Qwen2(), "llama3" => ModelFixtures.Llama3(), _ => ModelFixtures.Qwen3() };
        var model = ExportFixtures.WithDemoTokenizer(config);
        var texts = ExportFixtures.ShippedText(model);
        using var gguf = new LlamaCppModel(ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", "f16")));
        TorchRuntime.Initialize();
        using var engine = CausalLM.Load(model, ScalarType.Float32, CPU);

        double worst = 0, scale = 0;
        var ours = new List<(float[][], IReadOnlyList<int>)>();
        var theirs = new List<(float[][], IReadOnlyList<int>)>();
        foreach (var ids in texts)
        {
            var expected = ExportFixtures.EngineLogits(engine, ids);
            var actual = gguf.Logits(ids);
            for (int i = 0; i < ids.Count; i++)
                for (int v = 0; v < expected[i].Length; v++)
                {
                    worst = Math.Max(worst, Math.Abs(expected[i][v] - actual[i][v]));
                    scale = Math.Max(scale, Math.Abs(expected[i][v]));
                }
            ours.Add((expected, ids));
            theirs.Add((actual, ids));
        }
        double pplEngine = Nll.Perplexity(ours), pplLlama = Nll.Perplexity(theirs);
        output.WriteLine($"{family}: max |logit| {scale:0.000}, max |difference| {worst:0.0000}; perplexity engine {pplEngine:0.000}, llama.cpp F16 {pplLlama:0.000}");
        Assert.True(scale > 1, $"The logits are too flat ({scale}) to show a difference.");
        Assert.True(worst < 0.01 * scale, $"llama.cpp's F16 logits differ from the engine's by up to {worst} (logits up to {scale}).");
        Assert.True(Math.Abs(pplLlama / pplEngine - 1) < 0.005, $"Perplexity {pplLlama} (llama.cpp F16) against {pplEngine} (engine).");
    }
}
