using TorchSharp;

namespace PgxStudio.Engine.Models.Safetensors;

/// <summary>One tensor's place in a .safetensors file: dtype, shape and byte range after the header.</summary>
public sealed record SafetensorsEntry(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    public static readonly IReadOnlyDictionary<string, (torch.ScalarType Type, int Size)> Dtypes = new Dictionary<string, (torch.ScalarType, int)>
    {
        ["F32"] = (torch.ScalarType.Float32, 4),
        ["F16"] = (torch.ScalarType.Float16, 2),
        ["BF16"] = (torch.ScalarType.BFloat16, 2),
        ["F64"] = (torch.ScalarType.Float64, 8),
        ["I64"] = (torch.ScalarType.Int64, 8),
        ["I32"] = (torch.ScalarType.Int32, 4),
        ["I16"] = (torch.ScalarType.Int16, 2),
        ["I8"] = (torch.ScalarType.Int8, 1),
        ["U8"] = (torch.ScalarType.Byte, 1),
        ["BOOL"] = (torch.ScalarType.Bool, 1),
    };

    public static string DtypeOf(torch.ScalarType type) =>
        Dtypes.First(d => d.Value.Type == type).Key;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
