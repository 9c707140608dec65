using System.ComponentModel;
using System.Diagnostics;

namespace PgxStudio.Monitoring;

/// <summary>What nvidia-smi answered: the GPUs, or why there are none (no NVIDIA GPU, no driver, an error).</summary>
public sealed record GpuAnswer(IReadOnlyList<GpuReading> Gpus, string? Problem);

/// <summary>
/// Runs `nvidia-smi --query-gpu` (the path is <c>Studio:NvidiaSmiPath</c>, so tests point it at a fake). A machine
/// without it is asked once: a missing program does not appear while the studio runs.
/// </summary>
public sealed class NvidiaSmi(string path)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    bool _missing;

    public async Task<GpuAnswer> QueryAsync(CancellationToken cancel)
    {
        if (_missing) return new([], $"No GPU readings: {path} is not installed.");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in NvidiaSmiQuery.Arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            _missing = true;
            return new([], $"No GPU readings: {path} is not installed.");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Patience);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                return new([], $"nvidia-smi failed (exit {process.ExitCode}): {FirstLine(await error) ?? FirstLine(await output) ?? "no message"}");
            return new(NvidiaSmiQuery.Parse(await output), null);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            return new([], cancel.IsCancellationRequested ? null : $"nvidia-smi did not answer within {Patience.TotalSeconds:0} s.");
        }
    }

    static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
