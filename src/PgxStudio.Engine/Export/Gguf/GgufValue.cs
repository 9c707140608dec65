using System.Text;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// One metadata value of a GGUF file with the value type llama.cpp's loader expects for its key (it checks the type:
/// a uint32 written as int32 is refused), so each key is created through the factory of its documented type.
/// </summary>
public sealed class GgufValue
{
    // gguf.h's enum gguf_type.
    enum Kind : uint { UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9 }

    readonly Kind _kind;
    readonly Action<BinaryWriter> _write;

    GgufValue(Kind kind, Action<BinaryWriter> write)
    {
        _kind = kind;
        _write = write;
    }

    public static GgufValue UInt32(uint v) => new(Kind.UInt32, w => w.Write(v));
    public static GgufValue Float32(float v) => new(Kind.Float32, w => w.Write(v));
    public static GgufValue Bool(bool v) => new(Kind.Bool, w => w.Write((byte)(v ? 1 : 0)));
    public static GgufValue String(string v) => new(Kind.String, w => WriteString(w, v));

    public static GgufValue Strings(IReadOnlyList<string> items) => new(Kind.Array, w =>
    {
        w.Write((uint)Kind.String);
        w.Write((ulong)items.Count);
        foreach (var s in items) WriteString(w, s);
    });

    public static GgufValue Int32s(IReadOnlyList<int> items) => new(Kind.Array, w =>
    {
        w.Write((uint)Kind.Int32);
        w.Write((ulong)items.Count);
        foreach (var i in items) w.Write(i);
    });

    internal void Write(BinaryWriter writer)
    {
        writer.Write((uint)_kind);
        _write(writer);
    }

    /// <summary>GGUF strings: a uint64 byte count, then UTF-8 without a terminator.</summary>
    internal static void WriteString(BinaryWriter writer, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }
}
