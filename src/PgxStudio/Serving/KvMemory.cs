using System.Text.RegularExpressions;
using PgxStudio.Components.Shared;
using PgxStudio.Engine.Benchmarks;
using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Serving;

/// <summary>
/// The memory a served model takes before its first request: the weights and the KV slots of the whole batch
/// (--max-num-seqs × --max-model-len tokens), both allocated when it loads. Checked against what the machine has
/// free (/proc/meminfo's MemAvailable: the GB10's memory is unified), so a budget that cannot fit is refused with
/// the numbers instead of failing later.
/// </summary>
public static partial class KvMemory
{
    public static void CheckFits(ModelConfig config, BatchLimits limits, ScalarType dtype, Device device)
    {
        if (AvailableBytes() is not { } available) return;
        int length = limits.ModelLen(config);
        long kv = KvSlots.Bytes(config, limits.MaxNumSeqs, length, dtype);
        long weights = WeightBytes(config, dtype);
        if (kv + weights <= available * 0.9) return;
        throw new ArgumentException(
            $"The KV cache needs {ByteSize.Text(kv)} (--max-num-seqs {limits.MaxNumSeqs} × --max-model-len {length} tokens × {ByteSize.Text(KvSlots.BytesPerToken(config, dtype))} a token) " +
            $"and the weights {ByteSize.Text(weights)}, but only {ByteSize.Text(available)} of memory is available; lower --max-num-seqs or --max-model-len.");
    }

    /// <summary>Every projection and the embedding table (and the output head when it is not tied), in the loaded dtype.</summary>
    public static long WeightBytes(ModelConfig config, ScalarType dtype)
    {
        long embedding = (long)config.VocabSize * config.HiddenSize;
        long parameters = ModelThroughput.MatmulParameters(config) + (config.TieWordEmbeddings ? 0 : embedding);
        return parameters * KvSlots.ElementSize(dtype);
    }

    static long? AvailableBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            return line is not null && Digits().Match(line) is { Success: true } m ? long.Parse(m.Value) * 1024 : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
