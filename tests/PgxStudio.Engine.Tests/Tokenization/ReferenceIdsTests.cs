using System.Text;
using System.Text.Json;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>
/// Ids identical to Hugging Face's on the real Qwen3 and Llama-3 tokenizers, for 500 strings: the committed corpus
/// (English, Chinese, Khmer and other scripts, code, emoji, digits, whitespace runs, contractions, special tokens
/// inside text) and samples of the real datasets. Reference ids come from the npm packages' JS tokenizer.
/// </summary>
public class ReferenceIdsTests
{
    public static TheoryData<string> Tokenizers => new() { "qwen3", "llama3" };

    static readonly Dictionary<string, HfTokenizer> Loaded = new();

    internal static HfTokenizer Get(string name)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(name, out var t)) Loaded[name] = t = HfTokenizer.Load(TestPaths.Tokenizer(name));
            return t;
        }
    }

    static IReadOnlyList<(string Text, int[] Ids)> Cases(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Tokenizer(name), "expected-ids.json")));
        return doc.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Every_reference_string_encodes_to_the_reference_ids(string name)
    {
        var tokenizer = Get(name);
        var cases = Cases(name);
        Assert.True(cases.Count >= 400, $"only {cases.Count} reference strings");
        var failures = new List<string>();
        foreach (var (text, expected) in cases)
        {
            var actual = tokenizer.Encode(text);
            if (!actual.SequenceEqual(expected))
                failures.Add($"{JsonSerializer.Serialize(text)}\n  expected [{string.Join(",", expected)}]\n  actual   [{string.Join(",", actual)}]");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} differ:\n" + string.Join("\n", failures.Take(15)));
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Decoding_the_ids_gives_back_the_text_as_normalized(string name)
    {
        var tokenizer = Get(name);
        foreach (var (text, expected) in Cases(name))
            Assert.Equal(tokenizer.NormalizesNfc ? text.Normalize(NormalizationForm.FormC) : text, tokenizer.Decode(expected));
    }
}
