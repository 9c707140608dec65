using System.Text.Json;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>Ids identical to Hugging Face's (the JS port in the npm packages) on the real tokenizers, for the
/// multilingual corpus (English, Chinese, code, emoji, Khmer, whitespace runs, digits, contractions, special
/// tokens inside text) and samples of the real datasets.</summary>
public class ReferenceIdsTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3")]
    [InlineData("demo-format")]
    public void Encode_gives_the_reference_ids_for_every_string(string name)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(name);
        var cases = TokenizerFixtures.Expected(name);
        Assert.True(cases.Count >= 900, $"Only {cases.Count} reference strings; the fixtures are incomplete.");
        var wrong = cases.Where(c => !tokenizer.Encode(c.Text).SequenceEqual(c.Ids)).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cases.Count} strings differ, e.g.\n" + string.Join("\n", wrong.Take(5).Select(c =>
            $"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Ids)}], got [{string.Join(",", tokenizer.Encode(c.Text))}]")));
    }

    [Fact]
    public void The_llama3_reference_strings_need_ignore_merges()
    {
        // The same tokenizer with ignore_merges off must get some strings wrong, or the test above proves nothing about it.
        var dir = Directory.CreateTempSubdirectory("pgx-llama3-merges-").FullName;
        try
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder("llama3"), "tokenizer.json")))!;
            Assert.True((bool)json["model"]!["ignore_merges"]!);
            json["model"]!["ignore_merges"] = false;
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
            var mergesOnly = PgxStudio.Engine.Tokenization.HfTokenizer.Load(dir);
            int wrong = TokenizerFixtures.Expected("llama3").Count(c => !mergesOnly.Encode(c.Text).SequenceEqual(c.Ids));
            Assert.True(wrong >= 5, $"Only {wrong} reference strings depend on ignore_merges.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Encoding_from_many_threads_gives_the_same_ids()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var cases = TokenizerFixtures.Expected("qwen3");
        var results = new int[cases.Count][];
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = tokenizer.Encode(cases[i].Text).ToArray());
        for (int i = 0; i < cases.Count; i++) Assert.Equal(cases[i].Ids, results[i]);
    }
}
