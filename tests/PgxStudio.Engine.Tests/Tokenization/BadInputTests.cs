using System.Text.Json.Nodes;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>Unusable tokenizer files give one sentence naming the file, never a stack trace or wrong ids.</summary>
public class BadInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pgx-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string json, string file = "tokenizer.json")
    {
        File.WriteAllText(Path.Combine(_dir, file), json);
        return Path.Combine(_dir, file);
    }

    TokenizerFileException Refused(string namedFile, params string[] words)
    {
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(_dir));
        Assert.Contains(namedFile, e.Message);
        foreach (var word in words) Assert.Contains(word, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.EndsWith(".", e.Message);
        return e;
    }

    /// <summary>The real Qwen3 tokenizer.json with one part changed.</summary>
    static string Qwen3With(Action<JsonNode> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder("qwen3"), "tokenizer.json")))!;
        change(json);
        return json.ToJsonString();
    }

    [Fact]
    public void A_missing_model_folder_is_named()
    {
        var missing = Path.Combine(_dir, "no-such-model");
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizer.Load(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void A_folder_without_tokenizer_json_is_named() =>
        Refused(Path.Combine(_dir, "tokenizer.json"), "does not exist");

    [Fact]
    public void Corrupt_json_is_named_with_its_line()
    {
        var path = Write("{\n  \"model\": {\n    \"type\": \"BPE\",\n    \"vocab\": {\"a\": 0,,}\n  }\n}");
        Refused(path, "not valid JSON", "line 4");
    }

    [Fact]
    public void A_truncated_download_is_named() =>
        Refused(Write(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder("qwen3"), "tokenizer.json"))[..50_000]), "not valid JSON");

    [Fact]
    public void WordPiece_is_refused_by_name() =>
        Refused(Write("""{"normalizer":{"type":"BertNormalizer"},"pre_tokenizer":{"type":"BertPreTokenizer"},"model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","vocab":{"[UNK]":0,"a":1}}}"""),
            "WordPiece", "byte-level BPE");

    [Fact]
    public void Unigram_is_refused_by_name() =>
        Refused(Write("""{"pre_tokenizer":{"type":"Metaspace","replacement":"▁"},"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0],["▁a",-1.5]]}}"""),
            "Unigram", "byte-level BPE");

    [Fact]
    public void SentencePiece_style_bpe_is_refused() =>
        Refused(Write("""{"normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]},"pre_tokenizer":null,"model":{"type":"BPE","byte_fallback":true,"vocab":{"<unk>":0,"▁":1,"a":2},"merges":["▁ a"]}}"""),
            "SentencePiece");

    [Fact]
    public void A_bpe_without_byte_level_pre_tokenizer_is_refused() =>
        Refused(Write("""{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"Isolated","invert":false},"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}"""),
            "without a ByteLevel pre-tokenizer");

    [Fact]
    public void An_unknown_normalizer_is_refused_rather_than_ignored() =>
        Refused(Write(Qwen3With(j => j["normalizer"] = JsonNode.Parse("""{"type":"Lowercase"}"""))), "Lowercase normalizer");

    [Fact]
    public void Merges_that_do_not_fit_the_vocabulary_are_refused() =>
        Refused(Write("""{"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":["a c"]}}"""),
            "merges");

    [Fact]
    public void A_missing_vocabulary_is_refused() =>
        Refused(Write(Qwen3With(j => j["model"]!.AsObject().Remove("vocab"))), "not a complete");

    [Fact]
    public void Corrupt_tokenizer_config_is_named()
    {
        File.Copy(Path.Combine(TokenizerFixtures.Folder("demo-format"), "tokenizer.json"), Path.Combine(_dir, "tokenizer.json"));
        var path = Write("{\"eos_token\": ", "tokenizer_config.json");
        Refused(path, "not valid JSON");
    }

    [Fact]
    public void Without_tokenizer_config_there_is_no_bos_eos_or_pad()
    {
        File.Copy(Path.Combine(TokenizerFixtures.Folder("demo-format"), "tokenizer.json"), Path.Combine(_dir, "tokenizer.json"));
        var tokenizer = HfTokenizer.Load(_dir);
        Assert.Null(tokenizer.BosTokenId);
        Assert.Null(tokenizer.EosTokenId);
        Assert.Null(tokenizer.PadTokenId);
    }
}
