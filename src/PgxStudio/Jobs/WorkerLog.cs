namespace PgxStudio.Jobs;

/// <summary>
/// A run's worker.log and its live twin: every line a worker prints that is not an event (stdout or stderr) and the
/// message of every log, error and checkpoint event is appended to the file and published to the run's page, in
/// the order they arrive. The last lines are kept for the error of a failed run.
/// </summary>
public sealed class WorkerLog : IAsyncDisposable
{
    readonly StreamWriter? _file;
    readonly Action<string> _publish;
    readonly SemaphoreSlim _gate = new(1, 1);
    bool _fileBroken;

    public WorkerLog(string path, Action<string> publish, int lastLinesKept)
    {
        _publish = publish;
        LastLines = new LastLines(lastLinesKept);
        try { _file = new StreamWriter(path, append: true) { AutoFlush = true }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { FileProblem = e.Message; }
    }

    public LastLines LastLines { get; }

    /// <summary>Why the file stopped taking lines (a full disk, say); the page still gets them live.</summary>
    public string? FileProblem { get; private set; }

    /// <summary>Safe from the stdout and stderr readers at once.</summary>
    public async Task WriteAsync(string line)
    {
        await _gate.WaitAsync();
        try
        {
            LastLines.Add(line);
            if (_file is not null && !_fileBroken)
            {
                try { await _file.WriteLineAsync(line); }
                catch (IOException e)
                {
                    _fileBroken = true;
                    FileProblem = e.Message;
                }
            }
            _publish(line);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The line an event contributes to the log, or null for progress events (they are the charts).</summary>
    public static string? LineOf(WorkerEvent e) =>
        e.Event is WorkerEvent.Names.Log or WorkerEvent.Names.Error or WorkerEvent.Names.Checkpoint ? e.Message : null;

    public async ValueTask DisposeAsync()
    {
        if (_file is null) return;
        try { await _file.DisposeAsync(); }
        catch (IOException) { } // the last flush of a full disk
    }
}
