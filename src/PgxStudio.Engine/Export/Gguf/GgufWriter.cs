namespace PgxStudio.Engine.Export.Gguf;

/// <summary>A tensor to write: its name, its shape in PyTorch order (rows last-dimension-contiguous), its type and
/// a function producing its bytes, called once while the file is written so only one tensor is in memory.</summary>
public sealed record GgufTensor(string Name, long[] Shape, GgmlType Type, Func<byte[]> Data)
{
    public long ByteCount => Shape.Length == 0 ? GgmlTypes.RowBytes(Type, 1)
        : GgmlTypes.RowBytes(Type, Shape[^1]) * Shape[..^1].Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Writes a GGUF version 3 file (ggml's gguf.h layout): magic, version, tensor and key counts, the key/value
/// metadata, the tensor infos (name, dimensions innermost first, type, offset into the data), then the tensor data,
/// each tensor aligned to 32 bytes (general.alignment's default). Written beside the target and renamed when whole.
/// </summary>
public static class GgufWriter
{
    public const uint Version = 3;
    public const int Alignment = 32;
    static readonly byte[] Magic = "GGUF"u8.ToArray();

    public static void Write(string path, IReadOnlyList<(string Key, GgufValue Value)> metadata, IReadOnlyList<GgufTensor> tensors,
        Action<int>? tensorWritten = null, CancellationToken cancel = default)
    {
        var temp = path + ".partial";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(file))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write((ulong)tensors.Count);
            writer.Write((ulong)metadata.Count);
            foreach (var (key, value) in metadata)
            {
                GgufValue.WriteString(writer, key);
                value.Write(writer);
            }

            long offset = 0;
            foreach (var t in tensors)
            {
                GgufValue.WriteString(writer, t.Name);
                writer.Write((uint)t.Shape.Length);
                for (int d = t.Shape.Length - 1; d >= 0; d--) writer.Write((ulong)t.Shape[d]); // ggml's ne[0] is the innermost
                writer.Write((uint)t.Type);
                writer.Write((ulong)offset);
                offset = Align(offset + t.ByteCount);
            }
            Pad(writer);

            for (int i = 0; i < tensors.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var bytes = tensors[i].Data();
                if (bytes.LongLength != tensors[i].ByteCount)
                    throw new InvalidOperationException($"Tensor {tensors[i].Name} produced {bytes.LongLength} bytes; its shape and type need {tensors[i].ByteCount}.");
                writer.Write(bytes);
                Pad(writer);
                tensorWritten?.Invoke(i + 1);
            }
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter writer)
    {
        long position = writer.BaseStream.Position;
        for (long i = position; i < Align(position); i++) writer.Write((byte)0);
    }
}
