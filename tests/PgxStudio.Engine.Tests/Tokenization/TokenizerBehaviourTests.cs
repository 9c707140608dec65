using System.Text;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Tokenization;

public class TokenizerBehaviourTests
{
    [Fact]
    public void Special_tokens_and_settings_come_from_the_model_files()
    {
        var qwen = ReferenceIdsTests.Get("qwen3");
        Assert.Equal(151645, qwen.TokenToId("<|im_end|>"));
        Assert.Equal(151643, qwen.PadTokenId); // <|endoftext|>
        Assert.Equal(151645, qwen.EosTokenId); // Qwen3's tokenizer_config: eos is <|im_end|>
        Assert.True(qwen.IsSpecial(151644));
        Assert.False(qwen.IsSpecial(qwen.TokenToId("<think>")!.Value)); // added but not special
        Assert.Contains("<|im_start|>", qwen.Settings.ChatTemplate);
        var llama = ReferenceIdsTests.Get("llama3");
        Assert.Equal(128000, llama.BosTokenId);
        Assert.Equal(128256, llama.VocabularySize);
    }

    [Fact]
    public void Skipping_special_tokens_when_decoding_keeps_the_text_between_them()
    {
        var qwen = ReferenceIdsTests.Get("qwen3");
        var ids = qwen.Encode("<|im_start|>user\n你好<|im_end|>");
        Assert.Equal("user\n你好", qwen.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|>user\n你好<|im_end|>", qwen.Decode(ids));
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    public void The_streaming_decoder_never_emits_half_a_character(string name)
    {
        var tokenizer = ReferenceIdsTests.Get(name);
        var texts = new[] { "😀👍🏽 家庭👨‍👩‍👧‍👦", "这是一个很长的句子，中文字符。", "ជំរាបសួរ ពិភពលោក", "mixed 日本語 and 🎉 emoji", "龘靐齉 𝔘𝔫𝔦 ꦗꦮ" };
        foreach (var text in texts)
        {
            var ids = tokenizer.Encode(text);
            var decoder = tokenizer.CreateStreamingDecoder();
            var pieces = ids.Select(decoder.Add).Append(decoder.Flush()).ToList();
            Assert.Equal(text, string.Concat(pieces));
            // Every piece is valid text on its own: no replacement characters from split UTF-8 sequences.
            Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
            Assert.All(pieces, p => Assert.Equal(p, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(p))));
        }
        // Some of these really are split mid-character by the tokenizer, so the test exercises the hold-back.
        Assert.Contains(texts.SelectMany(tokenizer.Encode), id => tokenizer.Decode([id]).Contains('\uFFFD'));
    }

    [Fact]
    public void A_missing_tokenizer_file_names_the_file()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(dir));
        Assert.Contains(Path.Combine(dir, "tokenizer.json"), e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Corrupt_JSON_and_unsupported_models_are_refused_with_one_sentence()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(path, "{\"model\": {\"type\": \"BPE\", \"vocab\": {");
        Assert.Contains("is not valid JSON", Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(dir)).Message);

        File.WriteAllText(path, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        Assert.Contains("describes a WordPiece tokenizer", Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(dir)).Message);

        File.WriteAllText(path, "{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Metaspace\"}}");
        Assert.Contains("without byte-level pre-tokenization", Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(dir)).Message);
    }

    [Fact]
    public void An_id_outside_the_vocabulary_is_refused_when_decoding()
    {
        var qwen = ReferenceIdsTests.Get("qwen3");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => qwen.Decode([999_999]));
        Assert.Contains("Token id 999999 is outside", e.Message);
    }
}
