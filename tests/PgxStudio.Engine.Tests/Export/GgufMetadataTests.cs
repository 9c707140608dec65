using System.Text.Json.Nodes;
using PgxStudio.Engine.Tests.Models;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>The hyper-parameters and tokenizer metadata of a GGUF as llama.cpp reads them back.</summary>
public class GgufMetadataTests
{
    [Fact]
    public void Llama_cpp_reads_qwen3s_shape_tokenizer_ids_and_chat_template()
    {
        var model = ExportFixtures.WithRealTokenizer("qwen3");
        var folder = ExportFixtures.Export(model, "gguf", "f16");
        using var gguf = new LlamaCppModel(ExportFixtures.Gguf(folder));
        var config = ModelFixtures.Qwen3();
        Assert.Equal("qwen3", gguf.Metadata("general.architecture"));
        Assert.Equal("qwen2", gguf.Metadata("tokenizer.ggml.pre"));
        Assert.Equal("1", gguf.Metadata("qwen3.block_count"));
        Assert.Equal(config.HeadDim.ToString(), gguf.Metadata("qwen3.attention.key_length")); // 24, not hidden/heads = 16
        Assert.Equal(config.NumKeyValueHeads.ToString(), gguf.Metadata("qwen3.attention.head_count_kv"));
        Assert.Equal(151936, gguf.VocabularySize);

        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "tokenizer_config.json")))!;
        Assert.Equal((string?)tokenizerConfig["chat_template"], gguf.ChatTemplate);
        Assert.Equal(151645, gguf.Eos); // <|im_end|>, tokenizer_config's eos_token
        Assert.Equal(151643, gguf.Pad); // <|endoftext|>
        Assert.False(gguf.AddsBos);
    }

    [Fact]
    public void Llama_cpp_reads_llama3s_bos_and_adds_it_as_llama3_expects()
    {
        var model = ExportFixtures.WithRealTokenizer("llama3");
        using var gguf = new LlamaCppModel(ExportFixtures.Gguf(ExportFixtures.Export(model, "gguf", "f16")));
        Assert.Equal("llama", gguf.Metadata("general.architecture"));
        Assert.Equal("llama-bpe", gguf.Metadata("tokenizer.ggml.pre"));
        Assert.Equal(128000, gguf.Bos);     // <|begin_of_text|>
        Assert.Equal(128001, gguf.Eos);     // <|end_of_text|>
        Assert.True(gguf.AddsBos);          // llama-bpe's default, which the Modelfile's template relies on
    }
}
