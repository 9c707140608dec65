using PgxStudio.Engine.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PgxStudio.Training;

/// <summary>
/// Reads a LLaMA-Factory YAML config into arguments without the run checks, so the Train page can be filled from
/// a past run or a preset whose values need fixing and then show what to fix at each field. Values are parsed by
/// the engine's own key rules (<see cref="TrainingConfigKeys"/>); a value that cannot be parsed is one sentence.
/// </summary>
public static class TrainConfigReader
{
    public static TrainingArguments Read(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new TrainingConfigException($"{source} line {e.Start.Line}: not valid YAML ({e.InnerException?.Message ?? e.Message}).");
        }
        var args = new TrainingArguments();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) return args;
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new TrainingConfigException($"{source}: a config is a list of key: value lines, found something else.");
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (TrainingConfigKeys.Find(name) is not { } key) continue; // LLaMA-Factory keys PGX does not use
            var text = v switch
            {
                YamlScalarNode s => s.Value,
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? "")),
                _ => throw new TrainingConfigException($"{source} line {k.Start.Line}: {name} must be a single value, not a nested mapping."),
            };
            if (!TrainingConfigKeys.TryParse(key, text, out var value, out var error))
                throw new TrainingConfigException($"{source} line {k.Start.Line}: {name} {error}.");
            key.Set(args, value);
        }
        return args;
    }
}
