using System.Runtime.InteropServices;

namespace PgxStudio.Jobs;

/// <summary>
/// The worker side of the protocol: JSON-line events on stdout, and a cancellation token that fires on
/// SIGTERM/SIGINT (the studio's cancel) or when stdin closes (the studio that started us has gone away).
/// </summary>
public sealed class WorkerConsole : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<PosixSignalRegistration> _signals = [];
    readonly object _write = new();

    public WorkerConsole(bool watchStdin)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
            _signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // keep running: the verb finishes its step and stops itself
                _stop.Cancel();
            }));
        if (watchStdin) WatchStdin();
    }

    /// <summary>Fires when the worker should stop gracefully.</summary>
    public CancellationToken StopRequested => _stop.Token;

    public void Emit(WorkerEvent e)
    {
        lock (_write)
        {
            Console.Out.WriteLine(e.ToJsonLine());
            Console.Out.Flush();
        }
    }

    void WatchStdin()
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
            }
            catch (IOException) { }
            _stop.Cancel();
        }) { IsBackground = true, Name = "stdin watch" };
        thread.Start();
    }

    public void Dispose()
    {
        foreach (var s in _signals) s.Dispose();
        _stop.Dispose();
    }
}
