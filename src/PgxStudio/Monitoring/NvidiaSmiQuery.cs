namespace PgxStudio.Monitoring;

/// <summary>
/// The one nvidia-smi question the monitor asks each second, and reading its answer: one CSV line per GPU, the
/// fields in <see cref="Fields"/>' order, without header or units.
/// </summary>
public static class NvidiaSmiQuery
{
    public const string Fields = "index,name,utilization.gpu,temperature.gpu,power.draw,clocks.sm,clocks.mem,memory.used,memory.total";

    public static readonly string[] Arguments = [$"--query-gpu={Fields}", "--format=csv,noheader,nounits"];

    static readonly int FieldCount = Fields.Split(',').Length;

    /// <summary>Every well-formed line's GPU; a line with another number of fields is not a reading and is skipped.</summary>
    public static IReadOnlyList<GpuReading> Parse(string output)
    {
        var gpus = new List<GpuReading>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // A GPU's name has no comma in nvidia-smi's CSV ("NVIDIA H100 80GB HBM3"), so a plain split is exact.
            var f = line.Split(',');
            if (f.Length != FieldCount || !int.TryParse(f[0].Trim(), out var index)) continue;
            gpus.Add(new GpuReading(index, f[1].Trim(),
                GpuValue.Parse(f[2]), GpuValue.Parse(f[3]), GpuValue.Parse(f[4]), GpuValue.Parse(f[5]),
                GpuValue.Parse(f[6]), GpuValue.Parse(f[7]), GpuValue.Parse(f[8])));
        }
        return gpus;
    }
}
