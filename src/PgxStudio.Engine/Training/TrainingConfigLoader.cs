using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PgxStudio.Engine.Training;

/// <summary>What a config file plus overrides came to: the arguments and the keys that were not understood.</summary>
public sealed record LoadedTrainingConfig(TrainingArguments Arguments, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads a LLaMA-Factory YAML config and `key=value` command-line overrides (`pgx train CONFIG.yaml key=value …`)
/// into <see cref="TrainingArguments"/>. Unknown keys become warnings; bad values and failed checks become one
/// <see cref="TrainingConfigException"/> listing every problem by file, line and key.
/// </summary>
public static class TrainingConfigLoader
{
    public static LoadedTrainingConfig Load(string path, IEnumerable<string>? overrides = null,
        ConfigPurpose purpose = ConfigPurpose.Train)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainingConfigException($"Cannot read the config {path}: {e.Message}");
        }
        return Parse(text, path, overrides, purpose);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in messages (a file path or "the Train page").</summary>
    public static LoadedTrainingConfig Parse(string yaml, string source, IEnumerable<string>? overrides = null,
        ConfigPurpose purpose = ConfigPurpose.Train)
    {
        var args = new TrainingArguments();
        var warnings = new List<string>();
        var problems = new List<string>();

        foreach (var (key, value, line) in ReadMapping(yaml, source))
            Apply(args, key, value, $"{source} line {line}", warnings, problems);

        foreach (var o in overrides ?? [])
        {
            int eq = o.IndexOf('=');
            if (eq <= 0)
            {
                problems.Add($"Command-line override '{o}' is not key=value (for example learning_rate=1.0e-4).");
                continue;
            }
            Apply(args, o[..eq].Trim(), o[(eq + 1)..], "command line", warnings, problems);
        }

        if (problems.Count == 0)
            problems.AddRange(TrainingArgumentsValidator.Validate(args, purpose).Select(p => $"{source}: {p}"));
        if (problems.Count > 0)
            throw new TrainingConfigException(string.Join(" ", problems), problems);
        return new LoadedTrainingConfig(args, warnings);
    }

    /// <summary>
    /// Reads YAML into arguments without the run checks, ignoring keys PGX does not use: a past run or a preset whose
    /// values need fixing can still fill the Train page, which then shows what to fix at each field. A value that
    /// cannot be parsed is still refused, one sentence each.
    /// </summary>
    public static TrainingArguments ReadUnchecked(string yaml, string source)
    {
        var args = new TrainingArguments();
        var problems = new List<string>();
        foreach (var (key, value, line) in ReadMapping(yaml, source))
            Apply(args, key, value, $"{source} line {line}", warnings: [], problems);
        if (problems.Count > 0)
            throw new TrainingConfigException(string.Join(" ", problems), problems);
        return args;
    }

    static void Apply(TrainingArguments args, string name, string? text, string where, List<string> warnings, List<string> problems)
    {
        var key = TrainingConfigKeys.Find(name);
        if (key is null)
        {
            warnings.Add($"{where}: unknown key '{name}' is ignored.");
            return;
        }
        if (TrainingConfigKeys.TryParse(key, text, out var value, out var error))
            key.Set(args, value);
        else
            problems.Add($"{where}: {name} {error}.");
    }

    /// <summary>The top-level key: value pairs of a YAML config with their lines (a YAML list becomes a comma list).</summary>
    internal static IEnumerable<(string Key, string? Value, long Line)> ReadMapping(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new TrainingConfigException($"{source} line {e.Start.Line}: not valid YAML ({e.InnerException?.Message ?? e.Message}).");
        }
        if (stream.Documents.Count == 0) yield break;
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            if (stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) yield break;
            throw new TrainingConfigException($"{source}: a config is a list of key: value lines, found something else.");
        }
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? k.ToString();
            yield return (name, ScalarText(v, source, name), k.Start.Line);
        }
    }

    static string? ScalarText(YamlNode node, string source, string key) => node switch
    {
        YamlScalarNode s => s.Value,
        // dataset, lora_target, report_to: LLaMA-Factory takes comma lists; a YAML list means the same
        YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? "")),
        _ => throw new TrainingConfigException($"{source} line {node.Start.Line}: {key} must be a single value, not a nested mapping."),
    };
}
