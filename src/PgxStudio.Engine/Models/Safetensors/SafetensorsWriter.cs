using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models.Safetensors;

/// <summary>
/// Writes tensors in the safetensors format (header with dtypes, shapes, offsets and __metadata__), as one file or
/// as shards with a model.safetensors.index.json. Files are written beside their target and renamed when complete.
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.Select(t => (t.Name, Tensor: t.Tensor.detach().cpu().contiguous())).ToList();
        try
        {
            var header = new JsonObject();
            var meta = new JsonObject { ["format"] = "pt" };
            foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) meta[k] = v;
            header["__metadata__"] = meta;
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                long size = tensor.NumberOfElements * tensor.ElementSize;
                header[name] = new JsonObject
                {
                    ["dtype"] = SafetensorsEntry.DtypeOf(tensor.dtype),
                    ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode)s).ToArray()),
                    ["data_offsets"] = new JsonArray(offset, offset + size),
                };
                offset += size;
            }
            var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padding = (8 - headerBytes.Length % 8) % 8; // data starts 8-byte aligned
            var temp = path + ".partial";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                file.Write(BitConverter.GetBytes((long)(headerBytes.Length + padding)));
                file.Write(headerBytes);
                for (int i = 0; i < padding; i++) file.WriteByte((byte)' ');
                foreach (var (_, tensor) in list) file.Write(tensor.bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            foreach (var (_, t) in list) t.Dispose();
        }
    }

    /// <summary>Writes shards of at most <paramref name="maxShardBytes"/> and the index Hugging Face loaders read.</summary>
    public static IReadOnlyList<string> WriteSharded(string directory, IReadOnlyList<(string Name, Tensor Tensor)> tensors, long maxShardBytes)
    {
        var shards = new List<List<(string, Tensor)>> { new() };
        long current = 0, total = 0;
        foreach (var (name, tensor) in tensors)
        {
            long size = tensor.NumberOfElements * tensor.ElementSize;
            if (current > 0 && current + size > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add((name, tensor));
            current += size;
            total += size;
        }
        if (shards.Count == 1)
        {
            Write(System.IO.Path.Combine(directory, "model.safetensors"), shards[0]);
            return ["model.safetensors"];
        }
        var files = new List<string>();
        var weightMap = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:00000}-of-{shards.Count:00000}.safetensors";
            Write(System.IO.Path.Combine(directory, file), shards[i]);
            foreach (var (name, _) in shards[i]) weightMap[name] = file;
            files.Add(file);
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(System.IO.Path.Combine(directory, "model.safetensors.index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return files;
    }
}
