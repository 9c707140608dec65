using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>Decoding gives the text back (NFC for Qwen3), whole, and streaming never emits half a character.</summary>
public class DecodeTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    [InlineData("demo-format")]
    public void Decode_of_encode_is_the_text_after_normalization(string name)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        foreach (var (text, _) in TokenizerFixtures.Expected(name).Where(c => IsWellFormed(c.Text)))
        {
            var expected = tokenizer.NormalizesNfc ? text.Normalize(NormalizationForm.FormC) : text;
            Assert.Equal(expected, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void Qwen3_normalizes_decomposed_text_to_nfc_and_llama3_keeps_it()
    {
        const string decomposed = "Cafe\u0301 \u212Bngstr\u00F6m";
        Assert.Equal("Caf\u00E9 \u00C5ngstr\u00F6m", TokenizerFixtures.Tokenizer("qwen3").Decode(TokenizerFixtures.Tokenizer("qwen3").Encode(decomposed)));
        Assert.Equal(decomposed, TokenizerFixtures.Tokenizer("llama3").Decode(TokenizerFixtures.Tokenizer("llama3").Encode(decomposed)));
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    public void Streaming_pieces_add_up_to_decode_and_are_never_half_a_character(string name)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        int heldBack = 0;
        foreach (var (text, ids) in TokenizerFixtures.Expected(name))
        {
            var decoder = tokenizer.CreateStreamingDecoder(skipSpecialTokens: false);
            var pieces = ids.Select(decoder.Add).Append(decoder.Flush()).ToList();
            Assert.Equal(tokenizer.Decode(ids), string.Concat(pieces));
            if (!text.Contains('\uFFFD') && IsWellFormed(text) && pieces.FirstOrDefault(p => p.Contains('\uFFFD') || !IsWellFormed(p)) is { } broken)
                Assert.Fail($"Piece {JsonSerializer.Serialize(broken)} of {JsonSerializer.Serialize(text)} is not whole characters.");
            heldBack += ids.Select((id, i) => (id, i)).Count(x => pieces[x.i].Length == 0 && tokenizer.TokenBytes(x.id).Length > 0);
        }
        Assert.True(heldBack > 50, $"Only {heldBack} tokens held back a partial character; the corpus should split emoji and CJK across tokens.");
    }

    [Theory]
    [InlineData("qwen3", "👩🏻‍💻 coding")]
    [InlineData("qwen3", "ラーメンを食べたい！")]
    [InlineData("qwen3", "弘曕。")]
    [InlineData("qwen3", "𝐇𝐞𝐥𝐥𝐨 𝐖𝐨𝐫𝐥𝐝")]
    [InlineData("llama3", "😀😃😄😁")]
    [InlineData("llama3", "臣妾做不到啊！")]
    [InlineData("llama3", "ᠮᠣᠩᠭᠣᠯ")]
    public void A_character_split_over_tokens_comes_out_once_whole(string name, string text)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        var ids = tokenizer.Encode(text);
        Assert.Contains(ids, id => !Utf8.IsValid(tokenizer.TokenBytes(id))); // some token holds part of a character
        var decoder = tokenizer.CreateStreamingDecoder();
        var pieces = ids.Select(decoder.Add).Where(p => p.Length > 0).ToList();
        Assert.Equal("", decoder.Flush());
        Assert.Equal(text, string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
    }

    [Fact]
    public void An_unfinished_character_at_the_end_is_flushed_as_a_replacement_character_like_decode()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var ids = tokenizer.Encode("ok 👩🏻‍💻").ToList();
        var cut = Enumerable.Range(1, ids.Count).Select(n => ids.Take(n).ToList()).First(prefix => tokenizer.Decode(prefix).EndsWith('\uFFFD'));
        var decoder = tokenizer.CreateStreamingDecoder();
        var streamed = string.Concat(cut.Select(decoder.Add)) + decoder.Flush();
        Assert.Equal(tokenizer.Decode(cut), streamed);
        Assert.EndsWith("\uFFFD", streamed);
    }

    [Fact]
    public void Special_tokens_are_skipped_only_when_asked_and_thinking_tags_are_not_special()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        const string chat = "<|im_start|>assistant\n<think>\nhm\n</think>\n\n你好<|im_end|>";
        var ids = tokenizer.Encode(chat);
        Assert.Equal(chat, tokenizer.Decode(ids));
        Assert.Equal("assistant\n<think>\nhm\n</think>\n\n你好", tokenizer.Decode(ids, skipSpecialTokens: true));
        var decoder = tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
        Assert.Equal("assistant\n<think>\nhm\n</think>\n\n你好", string.Concat(ids.Select(decoder.Add)) + decoder.Flush());
    }

    [Fact]
    public void An_id_outside_the_vocabulary_is_refused_with_its_number()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([9, tokenizer.VocabularySize + 5]));
        Assert.Contains((tokenizer.VocabularySize + 5).ToString(), e.Message);
    }

    static bool IsWellFormed(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }
}
