namespace PgxStudio.TestSupport;

/// <summary>Waits for a condition the system reaches asynchronously (a job running, a worker exiting).</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value = await read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}; last seen: {value}" + Trail());
            await Task.Delay(100);
            value = await read();
        }
        return value;
    }

    /// <summary>What the studios in this process logged last, to say why the wait was in vain.</summary>
    static string Trail() => StudioLogTrail.Recent(25) is { Count: > 0 } lines
        ? $"{Environment.NewLine}The studios' last log lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}"
        : "";
}
