namespace PgxStudio.Jobs;

/// <summary>How a worker's exit code maps to the run's outcome.</summary>
public static class WorkerExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    /// <summary>Bad command line or configuration: the user's input, reported in one sentence.</summary>
    public const int InvalidInput = 2;
    /// <summary>Stopped on request after a graceful stop (checkpoint saved where the verb has one).</summary>
    public const int Cancelled = 3;
}
