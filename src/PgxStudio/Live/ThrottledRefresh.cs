namespace PgxStudio.Live;

/// <summary>
/// Turns a burst of bus updates into at most one UI refresh per interval: the first update refreshes at once,
/// later ones within the interval coalesce into one trailing refresh.
/// </summary>
public sealed class ThrottledRefresh(Func<Task> refresh, TimeSpan interval) : IDisposable
{
    readonly object _gate = new();
    DateTime _last = DateTime.MinValue;
    bool _pending;
    bool _disposed;

    public void Request()
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_disposed || _pending) return;
            var since = DateTime.UtcNow - _last;
            wait = since >= interval ? TimeSpan.Zero : interval - since;
            _pending = true;
        }
        _ = Run(wait);
    }

    async Task Run(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        lock (_gate)
        {
            _pending = false;
            _last = DateTime.UtcNow;
            if (_disposed) return;
        }
        try
        {
            await refresh();
        }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
    }
}
