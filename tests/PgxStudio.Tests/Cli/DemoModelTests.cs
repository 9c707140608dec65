using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using PgxStudio.TestSupport;
using static TorchSharp.torch;

namespace PgxStudio.Tests.Cli;

public class DemoModelTests
{
    [Fact]
    public void The_demo_model_is_a_complete_Qwen3_folder_that_loads_like_a_download_and_Hugging_Faces_tokenizer_agrees()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "create-demo-model", "--out", dir, "--size", "tiny");
        Assert.True(code == 0, stderr);
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);

        TorchRuntime.Initialize();
        var config = ModelConfig.Load(dir);
        Assert.Equal("Qwen3ForCausalLM", config.Architecture);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        var tokenizer = HfTokenizer.Load(dir);
        Assert.True(tokenizer.VocabularySize <= config.VocabSize);
        foreach (var special in new[] { "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>" })
            Assert.NotNull(tokenizer.TokenToId(special));
        Assert.Equal(tokenizer.TokenToId("<|im_end|>"), tokenizer.EosTokenId);
        Assert.Contains("<|im_start|>", tokenizer.Config.ChatTemplate);

        // Any UTF-8 text round-trips, and Hugging Face's Rust tokenizer reads the file and gives the same ids.
        using var reference = new Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(dir, "tokenizer.json"));
        foreach (var text in new[] { "Hello, PGX Studio!", "你好，世界 😀 ខ្មែរ", "<|im_start|>user\n微调<|im_end|>\n<think>\n\n</think>", "def f(x):\n\treturn x ** 2" })
        {
            var ids = tokenizer.Encode(text);
            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.Equal(ids, reference.Encode(text).Select(i => (int)i).ToArray());
        }

        // Same seed, same weights: the demo model is reproducible.
        var again = Path.Combine(Path.GetDirectoryName(dir)!, "again");
        Assert.Equal(0, Pgx.Run(TimeSpan.FromSeconds(60), "create-demo-model", "--out", again).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "model.safetensors")), File.ReadAllBytes(Path.Combine(again, "model.safetensors")));
        using var logits = model.Forward(tensor(tokenizer.Encode("Hello").Select(i => (long)i).ToArray()).unsqueeze(0));
        Assert.Equal(config.VocabSize, logits.shape[^1]);
    }
}
