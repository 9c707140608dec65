using System.Runtime.InteropServices;

namespace PgxStudio.Jobs;

/// <summary>Process.Kill only sends SIGKILL; a graceful stop needs SIGTERM.</summary>
public static class PosixSignals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>True when a process with this id exists (signal 0 probes without sending anything).</summary>
    public static bool IsAlive(int pid) => Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists
}

/// <summary>Tells whether a process id still belongs to the worker of a given run (ids get reused).</summary>
public static class WorkerProcess
{
    public static bool IsAlive(int pid, int runId)
    {
        if (!PosixSignals.IsAlive(pid)) return false;
        try
        {
            var environ = File.ReadAllText($"/proc/{pid}/environ");
            return environ.Contains($"PGX_RUN_ID={runId}\0", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true; // exists but is not ours to read: assume alive rather than lose a run
        }
    }

    /// <summary>SIGTERM now (the worker checkpoints and exits), SIGKILL if it is still the run's worker after the grace period.</summary>
    public static void StopGracefully(int pid, int runId, TimeSpan grace)
    {
        PosixSignals.Send(pid, PosixSignals.SigTerm);
        _ = Task.Delay(grace).ContinueWith(_ =>
        {
            if (IsAlive(pid, runId)) PosixSignals.Send(pid, PosixSignals.SigKill);
        }, TaskScheduler.Default);
    }
}
