using System.Text.RegularExpressions;
using System.Xml.Linq;
using PgxStudio.Localization;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Localization;

/// <summary>
/// Every string the UI shows has a Simplified Chinese resource: the pages write no literal text, every key they look up
/// is in Strings.resx, and Strings.zh-CN.resx has each of them with the same placeholders.
/// </summary>
public partial class ResourceCoverageTests
{
    static readonly string Source = Path.Combine(RepoPaths.Root, "src", "PgxStudio");
    /// <summary>The engine's sentences (validation, memory plan) are shown by the studio too.</summary>
    static readonly string Engine = Path.Combine(RepoPaths.Root, "src", "PgxStudio.Engine");
    static readonly string Components = Path.Combine(Source, "Components");

    /// <summary>
    /// Literal text that is the same in every language: the brand, each language's own name in the switch, symbols,
    /// metric and unit names, and commands and file names a user types as they are.
    /// </summary>
    static readonly HashSet<string> SameInEveryLanguage =
    [
        "English", "中文",
        "BLEU-4", "ROUGE-1", "ROUGE-2", "ROUGE-L", "mean", "p50", "p90", "p99", "p50 · p90 · p95 · p99", "req/s", "output tok/s", "total tok/s",
        "TTFT (ms)", "TPOT (ms)", "URL", "http://host:port/v1", "cutoff_len", "Top-p",
        "pgx train", "pgx predict", "pgx export", "pgx bench serve",
        "bnb", "nf4", "fp4", "bf16", "fp16", "fp32",
    ];

    [Fact]
    public void No_page_or_component_writes_text_that_skips_the_localizer()
    {
        var files = Directory.GetFiles(Components, "*.razor", SearchOption.AllDirectories);
        Assert.True(files.Length >= 45, $"only {files.Length} .razor files under {Components}");
        var literal = files
            .SelectMany(f => RazorText.Literals(File.ReadAllText(f)).Select(t => (File: Path.GetRelativePath(Components, f), t.Line, t.Text)))
            .Where(t => !SameInEveryLanguage.Contains(t.Text))
            .Select(t => $"{t.File}:{t.Line}: {t.Text}")
            .ToList();
        Assert.True(literal.Count == 0,
            "Text shown without the localizer (write @L[\"…\"] and add the key to Strings.resx and Strings.zh-CN.resx):\n" + string.Join("\n", literal));
    }

    [Fact]
    public void Every_key_the_sources_look_up_is_in_English_and_Chinese()
    {
        var english = Read("Strings.resx");
        var chinese = Read("Strings.zh-CN.resx");
        var used = Sources(Source, ".razor", ".cs")
            .SelectMany(f => KeyPattern().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.Replace("\\\"", "\"")))
            .Concat(SentenceFormats())
            .Concat(ComputedKeys.All)
            .ToHashSet();
        Assert.True(used.Count > 300, $"only {used.Count} keys found: is the key pattern still right?");
        Assert.Empty(used.Where(k => !english.ContainsKey(k)).Order());
        Assert.Empty(used.Where(k => !chinese.ContainsKey(k)).Order());
        // Keys nobody looks up any more are dead weight a translator would still maintain.
        Assert.Empty(english.Keys.Where(k => !used.Contains(k)).Order());
    }

    [Fact]
    public void The_sentence_scanner_finds_formats_in_services_and_the_engine()
    {
        var formats = SentenceFormats().ToHashSet();
        Assert.Contains("learning_rate must be positive, got {0}.", formats); // the engine's validator
        Assert.Contains("Run {0} belongs to {1}; only they or an admin can cancel it.", formats); // a studio service
        Assert.Contains("queue runs", formats);
        const string code = """
            throw new RunRequestException("Run {0} is gone.", id);
            return new Sentence("≈ {0} of {1} free — fits", a, b);
            var x = Sentence.Text(e.Message);
            """;
        Assert.Equal(["Run {0} is gone.", "≈ {0} of {1} free — fits"], SentencePattern().Matches(code).Select(m => m.Groups[1].Value));
    }

    [Fact]
    public void Chinese_has_every_English_key_with_the_same_placeholders()
    {
        var english = Read("Strings.resx");
        var chinese = Read("Strings.zh-CN.resx");
        Assert.Equal(english.Keys.Order(), chinese.Keys.Order());
        // Compiled resources keep one of two names that differ only in case ("Step", "step"): the other would show its key.
        Assert.Empty(english.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)));
        foreach (var (key, value) in english)
        {
            // The neutral resource's value is its key (see Localization/Strings.cs), less a "[context] " that tells two
            // uses of one English word apart.
            Assert.Equal(ContextPattern().Replace(key, ""), value);
            Assert.False(string.IsNullOrWhiteSpace(chinese[key]), $"'{key}' has an empty Chinese value");
            Assert.True(Placeholders(key).SetEquals(Placeholders(chinese[key])), $"'{key}' and '{chinese[key]}' use different placeholders");
        }
    }

    [Fact]
    public void The_scanner_catches_an_untranslated_label_text_and_message()
    {
        const string page = """
            @page "/x"
            @* A comment is not shown *@
            <MudText Typo="Typo.h4">@L["Train"]</MudText>
            <MudTextField Label="Warmup ratio" HelperText="@L["Tokens per example"]" id="x" Class="pa-2" />
            <MudText>Nothing to see</MudText>
            <span>@(_on ? "Light theme" : L["Dark theme"])</span>
            <span>@count · @L["{0} problems", n]</span>
            @code {
                void Save() => Snackbar.Add($"Saved {name}.", Severity.Success);
                string Key => "finetuning_type";
            }
            """;
        var found = RazorText.Literals(page).Select(t => t.Text).ToList();
        Assert.Contains("Warmup ratio", found);
        Assert.Contains("Nothing to see", found);
        Assert.Contains(found, t => t.Contains("Light theme"));
        Assert.Contains(found, t => t.Contains("Saved {name}."));
        Assert.Equal(4, found.Count);
    }

    static IEnumerable<string> Sources(string folder, params string[] extensions) =>
        Directory.GetFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => extensions.Any(f.EndsWith))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    /// <summary>The English formats of every sentence a service or the engine makes for a page to put into words.</summary>
    static IEnumerable<string> SentenceFormats() =>
        Sources(Source, ".cs", ".razor").Concat(Sources(Engine, ".cs"))
            .SelectMany(f => SentencePattern().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.Replace("\\\"", "\"")));

    static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Source, "Localization", file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    static HashSet<string> Placeholders(string text) => PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"\bL\[""((?:[^""\\]|\\.)*)""")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\b(?:Sentence|RunRequestException)\(""((?:[^""\\]|\\.)*)""")]
    private static partial Regex SentencePattern();

    [GeneratedRegex(@"^\[[^\]]+\] ")]
    private static partial Regex ContextPattern();

    [GeneratedRegex(@"\{(\d+)[^}]*\}")]
    private static partial Regex PlaceholderPattern();
}
