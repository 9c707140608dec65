using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PgxStudio.TestSupport;

/// <summary>
/// The studio as a user starts it: `pgx studio` in its own process, over a content root, with the environment and
/// arguments given. Keeps everything it prints; stops it with SIGTERM (or SIGKILL, as a crash would).
/// </summary>
public sealed class StudioProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly List<string> _output = [];
    readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    StudioProcess(Process process)
    {
        _process = process;
        _ = Pump(process.StandardOutput);
        _ = Pump(process.StandardError);
    }

    public int Id => _process.Id;

    /// <summary>The first address of its "PGX Studio is listening on …" line.</summary>
    public Uri? Url { get; private set; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line printed so far on stdout and stderr, in arrival order.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_output) return _output.ToList(); }
    }

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
        finally { probe.Stop(); }
    }

    /// <summary>Starts `pgx studio --contentRoot ROOT ARGS…`; a value of null removes that variable.</summary>
    public static StudioProcess Start(string contentRoot, IReadOnlyDictionary<string, string?>? environment = null, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Pgx.Dll, "studio", "--contentRoot", contentRoot }.Concat(args)) info.ArgumentList.Add(a);
        info.Environment.Remove("PGX_HOME");
        // The test host's own settings are not the user's: a studio started by hand has none of these.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return new StudioProcess(Process.Start(info)!);
    }

    /// <summary>Waits for the "listening" line; fails with everything printed if it exits or takes too long.</summary>
    public async Task<Uri> WaitUntilListeningAsync(TimeSpan? timeout = null)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(120)));
        if (done != _listening.Task)
            throw new InvalidOperationException($"The studio did not start listening ({(_process.HasExited ? $"exit code {_process.ExitCode}" : "timed out")}); it printed:\n{string.Join('\n', Output)}");
        return Url!;
    }

    /// <summary>Waits for it to exit by itself; fails with everything printed if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try { await _process.WaitForExitAsync().WaitAsync(timeout); }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The studio was still running after {timeout.TotalSeconds:0} s; it printed:\n{string.Join('\n', Output)}");
        }
        await Task.Delay(100); // the last lines of its pipes
        return _process.ExitCode;
    }

    /// <summary>A graceful stop, as systemd or Ctrl+C asks: returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        Jobs.PosixSignals.Send(_process.Id, Jobs.PosixSignals.SigTerm);
        await WaitForExitAsync(timeout);
        return clock.Elapsed;
    }

    /// <summary>kill -9 of the studio alone: its workers live on until they notice (their stdin closes).</summary>
    public void Crash()
    {
        Jobs.PosixSignals.Send(_process.Id, Jobs.PosixSignals.SigKill);
        _process.WaitForExit();
    }

    async Task Pump(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output) _output.Add(line);
            const string marker = "PGX Studio is listening on ";
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                var first = line[marker.Length..].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)[0];
                Url = new Uri(first.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
                _listening.TrySetResult(first);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
