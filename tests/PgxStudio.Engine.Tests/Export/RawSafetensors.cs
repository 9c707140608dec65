using System.Text.Json;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>Reads a checkpoint folder's safetensors (single or sharded) as raw bytes with their dtype names, for the
/// dtypes the engine's reader refuses (F8_E4M3); written for the tests from the format's description.</summary>
sealed class RawSafetensors
{
    public sealed record Entry(string Dtype, long[] Shape, byte[] Bytes);

    public Dictionary<string, Entry> Tensors { get; } = new();

    public RawSafetensors(string folder)
    {
        var files = File.Exists(Path.Combine(folder, "model.safetensors")) ? ["model.safetensors"]
            : JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "model.safetensors.index.json"))).RootElement.GetProperty("weight_map")
                .EnumerateObject().Select(p => p.Value.GetString()!).Distinct().ToList();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, file));
            long headerLength = BitConverter.ToInt64(bytes, 0);
            using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            foreach (var p in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
            {
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                Tensors[p.Name] = new Entry(p.Value.GetProperty("dtype").GetString()!,
                    p.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray(),
                    bytes.AsSpan((int)(8 + headerLength + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray());
            }
        }
    }

    public float Scalar(string name)
    {
        var e = Tensors[name];
        Assert.Equal("F32", e.Dtype);
        Assert.Empty(e.Shape);
        return BitConverter.ToSingle(e.Bytes);
    }

    public float[] Bf16(string name) =>
        Enumerable.Range(0, Tensors[name].Bytes.Length / 2).Select(i => BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(Tensors[name].Bytes, 2 * i) << 16)).ToArray();
}

/// <summary>The two small float formats decoded from their bit fields, as the tests' reference.</summary>
static class SmallFloats
{
    /// <summary>E4M3 ("fn"): sign, 4 exponent bits with bias 7, 3 mantissa bits; subnormals below 2^-6; 0x7F/0xFF NaN.</summary>
    public static float E4M3(byte b)
    {
        int sign = b >> 7, exponent = (b >> 3) & 15, mantissa = b & 7;
        if (exponent == 15 && mantissa == 7) return float.NaN;
        double value = exponent == 0 ? mantissa * Math.Pow(2, -9) : (8 + mantissa) * Math.Pow(2, exponent - 10);
        return (float)(sign == 1 ? -value : value);
    }

    /// <summary>E2M1: sign, 2 exponent bits with bias 1, 1 mantissa bit; exponent 0 is the subnormal 0 / 0.5.</summary>
    public static float E2M1(int nibble)
    {
        int sign = nibble >> 3, exponent = (nibble >> 1) & 3, mantissa = nibble & 1;
        double value = exponent == 0 ? mantissa * 0.5 : (1 + mantissa / 2.0) * Math.Pow(2, exponent - 1);
        return (float)(sign == 1 ? -value : value);
    }
}
