using System.Buffers.Binary;
using System.Text;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// A GGUF reader written for the tests from the format's description (gguf.h), independent of the exporter: the
/// metadata as strings/numbers and every tensor's type, shape (PyTorch order) and raw bytes.
/// </summary>
sealed class GgufFileReader
{
    public sealed record TensorInfo(string Name, long[] Shape, uint Type, long Offset);

    public Dictionary<string, object> Metadata { get; } = new();
    public List<TensorInfo> Tensors { get; } = [];
    readonly byte[] _file;
    readonly long _dataStart;

    public GgufFileReader(string path)
    {
        _file = File.ReadAllBytes(path);
        int p = 0;
        Assert.Equal("GGUF", Encoding.ASCII.GetString(_file, 0, 4));
        p = 4;
        Assert.Equal(3u, U32(ref p));
        long tensorCount = (long)U64(ref p), kvCount = (long)U64(ref p);
        for (long i = 0; i < kvCount; i++)
        {
            var key = Str(ref p);
            Metadata[key] = Value(U32(ref p), ref p);
        }
        for (long i = 0; i < tensorCount; i++)
        {
            var name = Str(ref p);
            uint dims = U32(ref p);
            var ne = Enumerable.Range(0, (int)dims).Select(_ => (long)U64(ref p)).ToArray();
            uint type = U32(ref p);
            long offset = (long)U64(ref p);
            Tensors.Add(new TensorInfo(name, ne.Reverse().ToArray(), type, offset));
        }
        long alignment = Metadata.TryGetValue("general.alignment", out var a) ? Convert.ToInt64(a) : 32;
        _dataStart = (p + alignment - 1) / alignment * alignment;
    }

    public TensorInfo Tensor(string name) => Tensors.Single(t => t.Name == name);

    public ReadOnlySpan<byte> Data(TensorInfo t, long byteCount) => _file.AsSpan((int)(_dataStart + t.Offset), (int)byteCount);

    object Value(uint type, ref int p)
    {
        switch (type)
        {
            case 0: return _file[p++];
            case 1: return (sbyte)_file[p++];
            case 2: { var v = BinaryPrimitives.ReadUInt16LittleEndian(_file.AsSpan(p)); p += 2; return v; }
            case 3: { var v = BinaryPrimitives.ReadInt16LittleEndian(_file.AsSpan(p)); p += 2; return v; }
            case 4: return U32(ref p);
            case 5: { var v = BinaryPrimitives.ReadInt32LittleEndian(_file.AsSpan(p)); p += 4; return v; }
            case 6: { var v = BinaryPrimitives.ReadSingleLittleEndian(_file.AsSpan(p)); p += 4; return v; }
            case 7: return _file[p++] != 0;
            case 8: return Str(ref p);
            case 9:
            {
                uint element = U32(ref p);
                long count = (long)U64(ref p);
                var items = new List<object>();
                for (long i = 0; i < count; i++) items.Add(Value(element, ref p));
                return items;
            }
            case 10: return U64(ref p);
            case 11: { var v = BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(p)); p += 8; return v; }
            case 12: { var v = BinaryPrimitives.ReadDoubleLittleEndian(_file.AsSpan(p)); p += 8; return v; }
            default: throw new InvalidDataException($"Unknown GGUF value type {type}.");
        }
    }

    uint U32(ref int p) { var v = BinaryPrimitives.ReadUInt32LittleEndian(_file.AsSpan(p)); p += 4; return v; }
    ulong U64(ref int p) { var v = BinaryPrimitives.ReadUInt64LittleEndian(_file.AsSpan(p)); p += 8; return v; }

    string Str(ref int p)
    {
        int n = (int)U64(ref p);
        var s = Encoding.UTF8.GetString(_file, p, n);
        p += n;
        return s;
    }
}
