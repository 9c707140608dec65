using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Data;

/// <summary>A data folder and its dataset_info.json, as LLaMA-Factory lays them out.</summary>
public sealed class DatasetRegistry
{
    public const string FileName = "dataset_info.json";
    static readonly object WriteLock = new();

    public string DataDirectory { get; }
    public IReadOnlyList<DatasetEntry> Entries { get; }

    DatasetRegistry(string dataDirectory, IReadOnlyList<DatasetEntry> entries) { DataDirectory = dataDirectory; Entries = entries; }

    public string InfoPath => Path.Combine(DataDirectory, FileName);

    /// <summary>Reads <c>dataset_info.json</c> in <paramref name="dataDirectory"/> (an absent file is an empty registry).</summary>
    public static DatasetRegistry Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) return new DatasetRegistry(dataDirectory, []);
        var root = ReadObject(path);
        var entries = new List<DatasetEntry>();
        foreach (var (name, value) in root)
        {
            if (value is not JsonObject o) throw new DatasetException($"Dataset '{name}' in {path} is not a JSON object; give it at least a \"file_name\".");
            entries.Add(DatasetEntry.FromJson(name, o, path));
        }
        return new DatasetRegistry(dataDirectory, entries);
    }

    /// <summary>The entry called <paramref name="name"/>; a missing name is a clear error.</summary>
    public DatasetEntry Get(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new DatasetException($"Dataset '{name}' is not in {InfoPath}; register it there or pick one of: {string.Join(", ", Entries.Select(e => e.Name))}.");

    /// <summary>The entry's local file; entries that only name a hub are a clear error (PGX Studio reads local files).</summary>
    public string PathOf(DatasetEntry entry) => entry.FileName is { } f ? Path.Combine(DataDirectory, f)
        : throw new DatasetException($"Dataset '{entry.Name}' in {InfoPath} has no local \"file_name\" (only a hub or script source); download it into {DataDirectory} and set \"file_name\".");

    /// <summary>
    /// Adds (or replaces, in place) one entry and rewrites dataset_info.json atomically: a temporary file in the same
    /// folder is renamed over the old one, so readers see the old or the new registry, never half of one. Other
    /// entries, their order and their unknown keys are kept as they were.
    /// </summary>
    public static DatasetRegistry Register(string dataDirectory, DatasetEntry entry)
    {
        lock (WriteLock)
        {
            Directory.CreateDirectory(dataDirectory);
            var path = Path.Combine(dataDirectory, FileName);
            var root = File.Exists(path) ? ReadObject(path) : new JsonObject();
            if (root.ContainsKey(entry.Name))
            {
                // Keep the position: rebuild with the replaced value where the old one stood.
                var rebuilt = new JsonObject();
                foreach (var (k, v) in root.ToList()) { root.Remove(k); rebuilt[k] = k == entry.Name ? entry.ToJson() : v; }
                root = rebuilt;
            }
            else root[entry.Name] = entry.ToJson();
            var temp = Path.Combine(dataDirectory, $".{FileName}.{Guid.NewGuid():N}.tmp");
            var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            File.WriteAllText(temp, root.ToJsonString(options) + "\n", new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
            return Load(dataDirectory);
        }
    }

    static JsonObject ReadObject(string path)
    {
        var node = DatasetFile.ParseJson(path, DatasetFile.ReadText(path));
        return node as JsonObject ?? throw new DatasetException($"{path} must be a JSON object mapping dataset names to entries.");
    }
}
