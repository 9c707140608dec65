using System.Text.Json.Nodes;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>Added tokens and bos/eos/pad agree with what the model folder's own files say.</summary>
public class AddedTokensTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    [InlineData("demo-format")]
    public void Every_added_token_is_one_id_in_text_and_special_flags_follow_the_file(string name)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder(name), "tokenizer.json")))!;
        var added = file["added_tokens"]!.AsArray().Select(t => (Id: (int)t!["id"]!, Content: (string)t["content"]!, Special: (bool)t["special"]!)).ToList();
        Assert.Equal(added.Count, tokenizer.AddedTokens.Count);
        foreach (var (id, content, special) in added)
        {
            Assert.Equal([.. tokenizer.Encode("a"), id, .. tokenizer.Encode("b")], tokenizer.Encode($"a{content}b"));
            Assert.Equal(id, tokenizer.TokenToId(content));
            Assert.Equal(special, tokenizer.IsSpecial(id));
            Assert.Equal(content, tokenizer.Decode([id]));
        }
        Assert.Equal(added.Max(a => a.Id) + 1, tokenizer.VocabularySize);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    [InlineData("demo-format")]
    public void Bos_eos_and_pad_come_from_tokenizer_config(string name)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        var folder = TokenizerFixtures.Folder(name);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        var added = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")))!["added_tokens"]!.AsArray()
            .ToDictionary(t => (string)t!["content"]!, t => (int)t!["id"]!);
        int? IdOf(string key) => config[key] is JsonValue v && v.TryGetValue<string>(out var token) ? added[token] : null;
        Assert.Equal(IdOf("bos_token"), tokenizer.BosTokenId);
        Assert.Equal(IdOf("eos_token"), tokenizer.EosTokenId);
        Assert.Equal(IdOf("pad_token"), tokenizer.PadTokenId);
        Assert.NotNull(tokenizer.EosTokenId);
    }

    [Fact]
    public void Almost_added_tokens_are_plain_text()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        int imEnd = tokenizer.TokenToId("<|im_end|>")!.Value;
        foreach (var text in new[] { "<|im_end|", "<|IM_END|>", "< |im_end| >", "im_end|>" })
            Assert.DoesNotContain(imEnd, tokenizer.Encode(text));
        Assert.Null(tokenizer.TokenToId("<|im_end|> "));
    }

    [Fact]
    public void The_longest_added_token_wins_where_two_start_at_the_same_place()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        // <tool_call> and </tool_call>, <think> and </think> share prefixes with each other's text.
        Assert.Equal([tokenizer.TokenToId("</tool_call>")!.Value], tokenizer.Encode("</tool_call>"));
        Assert.Equal([tokenizer.TokenToId("<think>")!.Value, tokenizer.TokenToId("</think>")!.Value], tokenizer.Encode("<think></think>"));
    }
}
