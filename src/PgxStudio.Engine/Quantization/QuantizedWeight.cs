using static TorchSharp.torch;

namespace PgxStudio.Engine.Quantization;

/// <summary>
/// A frozen [out, in] base weight stored the way bitsandbytes stores it for QLoRA — Params4bit's packed codes
/// and QuantState, or Int8Params' CB and SCB — and turned back into a compute-dtype tensor on demand inside a
/// projection's forward. It is a plain owner of tensors, not a module: the model builds each weight on its device
/// and in its dtype, and a module's `to(dtype)` would silently turn the float32 statistics into bf16; keeping the
/// storage out of the parameter and buffer lists also leaves checkpoints, the optimizer and PEFT keys untouched.
/// The owning projection disposes it.
/// </summary>
public sealed class QuantizedWeight : IDisposable
{
    public QuantizationSettings Settings { get; }
    public long Rows { get; }
    public long Columns { get; }

    /// <summary>4 bits: codes packed two per byte, uint8 [(n+1)/2, 1], first value in the high nibble. 8 bits: null.</summary>
    public Tensor? PackedCodes { get; }

    /// <summary>4 bits without double quantization: float32 absmax per block of 64. Null otherwise.</summary>
    public Tensor? Absmax { get; }

    /// <summary>4 bits with double quantization: the 8-bit quantized absmax values and their state. Null otherwise.</summary>
    public NestedAbsmax? Nested { get; }

    /// <summary>4 bits: the 16 float32 values of the nf4 or fp4 codes (QuantState.code). 8 bits: null.</summary>
    public Tensor? CodeTable { get; }

    /// <summary>8 bits: int8 codes [out, in] (bitsandbytes' CB). 4 bits: null.</summary>
    public Tensor? RowCodes { get; }

    /// <summary>8 bits: float32 absmax per row (bitsandbytes' SCB). 4 bits: null.</summary>
    public Tensor? RowScales { get; }

    QuantizedWeight(QuantizationSettings settings, long rows, long columns,
        Tensor? packed = null, Tensor? absmax = null, NestedAbsmax? nested = null, Tensor? table = null,
        Tensor? rowCodes = null, Tensor? rowScales = null)
    {
        Settings = settings;
        (Rows, Columns) = (rows, columns);
        // Owned for the weight's lifetime, whatever dispose scope the caller quantized in.
        PackedCodes = packed?.DetachFromDisposeScope();
        Absmax = absmax?.DetachFromDisposeScope();
        Nested = nested;
        CodeTable = table?.DetachFromDisposeScope();
        RowCodes = rowCodes?.DetachFromDisposeScope();
        RowScales = rowScales?.DetachFromDisposeScope();
    }

    /// <summary>Quantizes a 2-D weight of any floating dtype on its own device; the weight itself is left as it was.</summary>
    public static QuantizedWeight Quantize(Tensor weight, QuantizationSettings settings)
    {
        Check(weight, settings);
        using var scope = NewDisposeScope(); // what the weight keeps is detached from it in the constructor
        var (rows, columns) = (weight.shape[0], weight.shape[1]);
        if (settings.Bits == 8)
        {
            var (codes, scales) = Int8RowQuantizer.Quantize(weight);
            return new QuantizedWeight(settings, rows, columns, rowCodes: codes, rowScales: scales);
        }
        var flat = weight.contiguous().view(-1);
        var (packed, absmax) = FourBitQuantizer.Quantize(flat, settings.Type!);
        var table = tensor(FourBitCodes.Table(settings.Type!).ToArray(), device: weight.device);
        if (!settings.DoubleQuantization) return new QuantizedWeight(settings, rows, columns, packed, absmax, table: table);
        return new QuantizedWeight(settings, rows, columns, packed, nested: NestedAbsmax.Quantize(absmax), table: table);
    }

    static void Check(Tensor weight, QuantizationSettings settings)
    {
        if (weight.dim() != 2 || weight.numel() == 0)
            throw new ArgumentException($"Only a non-empty [out, in] weight can be quantized; this one has shape [{string.Join(", ", weight.shape)}].");
        if (!is_floating_point(weight))
            throw new ArgumentException($"Only floating-point weights can be quantized; this one is {weight.dtype}.");
        // Two reductions instead of an elementwise test: no weight-sized transient, and NaN propagates into max.
        using var scope = NewDisposeScope();
        var largest = weight.max().to(ScalarType.Float32).item<float>();
        var smallest = weight.min().to(ScalarType.Float32).item<float>();
        if (!float.IsFinite(largest) || !float.IsFinite(smallest))
            throw new ArgumentException("The weight holds NaN or infinite values, which bitsandbytes' formats cannot store; check the checkpoint.");
        if (settings.Bits == 8 && Math.Max(largest, -smallest) > Int8RowQuantizer.Float16Max)
            throw new ArgumentException($"The weight holds values beyond ±{Int8RowQuantizer.Float16Max}, which bitsandbytes' int8 storage rounds through float16 to infinity; use quantization_bit: 4.");
    }

    /// <summary>
    /// A new [out, in] tensor of <paramref name="dtype"/> on the weight's device. Values are formed in float32 as
    /// bitsandbytes' kernels form them, then rounded once to the dtype. Peak memory beyond the result is one chunk
    /// of at most 4M elements (about 8 bytes each: float32 values and an int64 index per byte), plus, with double
    /// quantization, the float32 absmax (4 bytes per 64 weights); no full-precision copy of the weight is kept.
    /// </summary>
    public Tensor Dequantize(ScalarType dtype)
    {
        var device = (PackedCodes ?? RowCodes)!.device;
        if (Settings.Bits == 8)
        {
            var rows = empty([Rows, Columns], dtype, device);
            Int8RowQuantizer.DequantizeInto(RowCodes!, RowScales!, rows);
            return rows;
        }
        using var scope = NewDisposeScope();
        var output = empty([Rows, Columns], dtype, device);
        var absmax = Nested?.Dequantize() ?? Absmax!;
        FourBitQuantizer.DequantizeInto(PackedCodes!, absmax, CodeTable!, output.view(-1));
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Bytes this weight holds on its device: codes, statistics and code tables.</summary>
    public long StorageBytes =>
        Bytes(PackedCodes) + Bytes(Absmax) + (Nested?.StorageBytes ?? 0) + Bytes(CodeTable) + Bytes(RowCodes) + Bytes(RowScales);

    static long Bytes(Tensor? t) => t is null ? 0 : t.numel() * t.ElementSize;

    /// <summary>
    /// What <see cref="StorageBytes"/> will be for an [rows, columns] weight, without quantizing: what a memory
    /// planner needs. int8 keeps one scale per row, so the shape is needed, not only the element count.
    /// </summary>
    public static long BytesFor(long rows, long columns, QuantizationSettings settings)
    {
        var n = rows * columns;
        if (settings.Bits == 8) return n + rows * sizeof(float);
        var blocks = BlockScales.Count(n, QuantizationSettings.FourBitBlockSize);
        var codes = (n + 1) / 2 + 16 * sizeof(float);
        if (!settings.DoubleQuantization) return codes + blocks * sizeof(float);
        var nestedBlocks = BlockScales.Count(blocks, QuantizationSettings.NestedBlockSize);
        return codes + blocks + nestedBlocks * sizeof(float) + sizeof(float) + 256 * sizeof(float);
    }

    public void Dispose()
    {
        PackedCodes?.Dispose();
        Absmax?.Dispose();
        Nested?.Dispose();
        CodeTable?.Dispose();
        RowCodes?.Dispose();
        RowScales?.Dispose();
    }
}
