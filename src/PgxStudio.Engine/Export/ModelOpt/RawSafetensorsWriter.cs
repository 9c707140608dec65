using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>A tensor given as raw little-endian bytes under a safetensors dtype name (U8, F8_E4M3, BF16, F32, …),
/// produced when the writer reaches it.</summary>
public sealed record RawTensor(string Name, string Dtype, long[] Shape, long ByteCount, Func<byte[]> Data);

/// <summary>
/// Writes safetensors files from raw bytes, for the dtypes TorchSharp has no type for (F8_E4M3) and packed data
/// (NVFP4's two values per U8): header, 8-byte aligned data, shards with model.safetensors.index.json as Hugging Face
/// names them. Each file is written beside its target and renamed when whole.
/// </summary>
public static class RawSafetensorsWriter
{
    public static IReadOnlyList<string> WriteSharded(string directory, IReadOnlyList<RawTensor> tensors, long maxShardBytes,
        Action<int>? tensorWritten = null, CancellationToken cancel = default)
    {
        var shards = new List<List<RawTensor>> { new() };
        long current = 0, total = 0;
        foreach (var t in tensors)
        {
            if (current > 0 && current + t.ByteCount > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += t.ByteCount;
            total += t.ByteCount;
        }
        int written = 0;
        void Written() => tensorWritten?.Invoke(++written);
        if (shards.Count == 1)
        {
            Write(Path.Combine(directory, "model.safetensors"), shards[0], Written, cancel);
            return ["model.safetensors"];
        }
        var files = new List<string>();
        var weightMap = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:00000}-of-{shards.Count:00000}.safetensors";
            Write(Path.Combine(directory, file), shards[i], Written, cancel);
            foreach (var t in shards[i]) weightMap[t.Name] = file;
            files.Add(file);
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return files;
    }

    static void Write(string path, IReadOnlyList<RawTensor> tensors, Action written, CancellationToken cancel)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var t in tensors)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.Dtype,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.ByteCount),
            };
            offset += t.ByteCount;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padding = (8 - headerBytes.Length % 8) % 8;
        var temp = path + ".partial";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            file.Write(BitConverter.GetBytes((long)(headerBytes.Length + padding)));
            file.Write(headerBytes);
            for (int i = 0; i < padding; i++) file.WriteByte((byte)' ');
            foreach (var t in tensors)
            {
                cancel.ThrowIfCancellationRequested();
                var bytes = t.Data();
                if (bytes.LongLength != t.ByteCount)
                    throw new InvalidOperationException($"Tensor {t.Name} produced {bytes.LongLength} bytes; its header says {t.ByteCount}.");
                file.Write(bytes);
                written();
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
