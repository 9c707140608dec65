using System.Buffers.Binary;
using System.Text;

namespace PgxStudio.Engine.Native;

/// <summary>
/// Reads and edits the version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF file.
/// TorchSharp's prebuilt libLibTorchSharp.so asks for GLIBCXX_3.4.32 (Ubuntu 24.04's libstdc++) but the only
/// symbol behind it, <c>std::ios_base_library_init</c>, is never called; marking that requirement weak lets the
/// dynamic loader accept an older libstdc++ (Debian 12, Ubuntu 22.04).
/// </summary>
public static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    public const ushort VerFlagWeak = 0x2;

    public sealed record Requirement(string Library, string Version, ushort Flags, long FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Every version requirement in the file, with the file offset of its flags field.</summary>
    public static IReadOnlyList<Requirement> Read(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        var span = elf.AsSpan();
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);

        var result = new List<Requirement>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span[(int)(shoff + (long)i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            var strtab = span[(int)(shoff + (long)link * shentsize)..];
            long strOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(strtab[24..]);

            long need = offset;
            for (int n = 0; n < count; n++)
            {
                var vn = span[(int)need..];
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string file = ReadString(span, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    var va = span[(int)aux..];
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(va[4..]);
                    string name = ReadString(span, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(va[8..]));
                    result.Add(new Requirement(file, name, flags, aux + 4));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>Marks the named version requirement weak in place; returns false when it was already weak.</summary>
    public static bool MarkWeak(byte[] elf, string version)
    {
        var requirement = Read(elf).FirstOrDefault(r => r.Version == version)
            ?? throw new InvalidDataException($"the file has no requirement on {version}");
        if (requirement.IsWeak) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan((int)requirement.FlagsOffset),
            (ushort)(requirement.Flags | VerFlagWeak));
        return true;
    }

    static string ReadString(ReadOnlySpan<byte> data, long offset)
    {
        var tail = data[(int)offset..];
        int end = tail.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? tail : tail[..end]);
    }
}
