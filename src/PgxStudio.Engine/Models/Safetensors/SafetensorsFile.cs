using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models.Safetensors;

/// <summary>
/// Reads one .safetensors file: the JSON header at open, each tensor on demand straight from its byte range
/// (no whole-file copy, so multi-gigabyte shards load tensor by tensor).
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    const long MaxHeaderBytes = 100L * 1024 * 1024;
    readonly FileStream _stream;
    readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelFileException($"{path} does not exist.");
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            (Entries, Metadata, _dataStart) = ReadHeader();
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>, long) ReadHeader()
    {
        var lengthBytes = new byte[8];
        if (_stream.Read(lengthBytes) != 8) throw Corrupt("is shorter than its 8-byte header length");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 1 || headerLength > MaxHeaderBytes || 8 + headerLength > _stream.Length)
            throw Corrupt($"declares a header of {headerLength} bytes, which the file of {_stream.Length} bytes cannot hold (truncated or not safetensors)");
        var header = new byte[headerLength];
        _stream.ReadExactly(header);
        long dataStart = 8 + headerLength, dataLength = _stream.Length - dataStart;

        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Corrupt($"has a header that is not JSON ({e.Message})"); }
        using (doc)
        {
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                var e = property.Value;
                var dtype = e.GetProperty("dtype").GetString()!;
                if (!SafetensorsEntry.Dtypes.TryGetValue(dtype, out var info))
                    throw Corrupt($"stores tensor {property.Name} as {dtype}, a dtype this studio does not read ({string.Join(", ", SafetensorsEntry.Dtypes.Keys)})");
                var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var entry = new SafetensorsEntry(property.Name, dtype, shape, offsets[0], offsets[1]);
                if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength)
                    throw Corrupt($"places tensor {property.Name} at bytes {entry.Begin}..{entry.End}, past the end of its {dataLength} data bytes (truncated download?)");
                if (entry.End - entry.Begin != entry.ElementCount * info.Size)
                    throw Corrupt($"gives tensor {property.Name} {entry.End - entry.Begin} bytes but its shape [{string.Join(", ", shape)}] of {dtype} needs {entry.ElementCount * info.Size}");
                entries[property.Name] = entry;
            }
        }
        return (entries, metadata, dataStart);
    }

    /// <summary>Reads one tensor onto the CPU in its stored dtype.</summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var entry)) throw new ModelFileException($"{Path} has no tensor {name}.");
        var bytes = new byte[entry.End - entry.Begin];
        lock (_stream)
        {
            _stream.Seek(_dataStart + entry.Begin, SeekOrigin.Begin);
            _stream.ReadExactly(bytes);
        }
        var type = SafetensorsEntry.Dtypes[entry.Dtype].Type;
        var tensor = torch.empty(entry.Shape, type);
        if (bytes.Length > 0) tensor.bytes = bytes;
        return tensor;
    }

    ModelFileException Corrupt(string what) => new($"{Path} {what}; download the file again.");

    public void Dispose() => _stream.Dispose();
}
