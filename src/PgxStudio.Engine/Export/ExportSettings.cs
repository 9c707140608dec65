using YamlDotNet.RepresentationModel;

namespace PgxStudio.Engine.Export;

/// <summary>LLaMA-Factory's export keys: model_name_or_path, adapter_name_or_path, export_dir, export_size (GB per shard).</summary>
public sealed record ExportSettings(string ModelNameOrPath, string? AdapterNameOrPath, string ExportDir, int ExportSizeGigabytes)
{
    public static ExportSettings Load(string path, IEnumerable<string> overrides)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{path} does not exist.");
        var values = new Dictionary<string, string>();
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        if (yaml.Documents.Count > 0 && yaml.Documents[0].RootNode is YamlMappingNode map)
            foreach (var (key, value) in map.Children)
                if (value is YamlScalarNode scalar && scalar.Value is { } v) values[((YamlScalarNode)key).Value!] = v;
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"'{o}' is not key=value.");
            values[o[..eq]] = o[(eq + 1)..];
        }
        string Required(string key) => values.TryGetValue(key, out var v) && v is { Length: > 0 } && v != "null"
            ? v : throw new ArgumentException($"{path}: {key} is required for export.");
        int size = values.TryGetValue("export_size", out var s) && int.TryParse(s, out var gb) ? gb : 5;
        if (size < 1) throw new ArgumentException($"{path}: export_size is {size}; it must be at least 1 (GB per shard).");
        var adapter = values.TryGetValue("adapter_name_or_path", out var a) && a is { Length: > 0 } && a != "null" ? a : null;
        return new ExportSettings(Required("model_name_or_path"), adapter, Required("export_dir"), size);
    }
}
