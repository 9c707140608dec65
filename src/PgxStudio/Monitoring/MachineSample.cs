namespace PgxStudio.Monitoring;

/// <summary>A running worker's resident memory, named by its run and the person who owns it.</summary>
public sealed record WorkerMemory(int RunId, string RunName, string Owner, string Kind, long RssBytes);

/// <summary>
/// The machine at one moment: CPU %, memory, each worker's memory and each GPU. <see cref="Second"/> counts seconds
/// since the monitor started, the x of the System page's charts. Null fields could not be read on this machine.
/// </summary>
public sealed record MachineSample(
    int Second,
    DateTime At,
    double? CpuPercent,
    MemoryInfo? Memory,
    IReadOnlyList<WorkerMemory> Workers,
    IReadOnlyList<GpuReading> Gpus,
    string? GpuProblem);
