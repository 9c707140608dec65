namespace PgxStudio.Monitoring;

/// <summary>One GPU at one moment, as `nvidia-smi --query-gpu` reports it; memory in MiB, power in W, clocks in MHz.</summary>
public sealed record GpuReading(
    int Index,
    string Name,
    GpuValue UtilizationPercent,
    GpuValue TemperatureCelsius,
    GpuValue PowerWatts,
    GpuValue SmClockMhz,
    GpuValue MemoryClockMhz,
    GpuValue MemoryUsedMib,
    GpuValue MemoryTotalMib);
