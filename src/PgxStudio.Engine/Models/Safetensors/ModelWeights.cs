using System.Text.Json;
using PgxStudio.Engine.Models.Safetensors;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models;

/// <summary>
/// All tensors of a model folder (model.safetensors, or shards listed in model.safetensors.index.json), read one
/// at a time. Tracks which names were taken so a loader can report tensors the model does not use.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    readonly Dictionary<string, SafetensorsFile> _fileOf = new(StringComparer.Ordinal);
    readonly List<SafetensorsFile> _files = [];
    readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public ModelWeights(string modelDirectory)
    {
        var index = Path.Combine(modelDirectory, "model.safetensors.index.json");
        var single = Path.Combine(modelDirectory, "model.safetensors");
        if (File.Exists(index))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            var byFile = new Dictionary<string, SafetensorsFile>();
            foreach (var entry in doc.RootElement.GetProperty("weight_map").EnumerateObject())
            {
                var file = entry.Value.GetString()!;
                if (!byFile.TryGetValue(file, out var opened))
                {
                    byFile[file] = opened = new SafetensorsFile(Path.Combine(modelDirectory, file));
                    _files.Add(opened);
                }
                if (!opened.Entries.ContainsKey(entry.Name))
                    throw new ModelFileException($"{index} puts {entry.Name} in {file}, which does not contain it.");
                _fileOf[entry.Name] = opened;
            }
        }
        else if (File.Exists(single))
        {
            var file = new SafetensorsFile(single);
            _files.Add(file);
            foreach (var name in file.Entries.Keys) _fileOf[name] = file;
        }
        else
            throw new ModelFileException($"{modelDirectory} has neither model.safetensors nor model.safetensors.index.json; only safetensors weights are read.");
    }

    public IReadOnlyCollection<string> Names => _fileOf.Keys;

    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>Reads a tensor whose shape must be exactly <paramref name="shape"/>.</summary>
    public Tensor Take(string name, long[] shape)
    {
        if (!_fileOf.TryGetValue(name, out var file))
            throw new ModelFileException($"The model weights have no tensor {name}; the files do not match config.json.");
        var entry = file.Entries[name];
        if (!entry.Shape.SequenceEqual(shape))
            throw new ModelFileException($"Tensor {name} has shape [{string.Join(", ", entry.Shape)}] but config.json implies [{string.Join(", ", shape)}].");
        _taken.Add(name);
        return file.Read(name);
    }

    public IEnumerable<string> Untaken => _fileOf.Keys.Where(n => !_taken.Contains(n));

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
