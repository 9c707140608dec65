using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PgxStudio.TestSupport;

/// <summary>
/// The last log lines of every studio this test process started, for a wait that times out to show with its failure:
/// a queued job that does not start for minutes on a loaded CI machine says nothing by itself, while Hangfire logs
/// each failed worker pass it retries (the first at Debug, with the exception, then at longer and longer delays).
/// Hangfire's lines land in whichever studio configured it last (its log provider is process-wide), so the trail is
/// one for the process, each line stamped with its time.
/// </summary>
public static class StudioLogTrail
{
    const int Kept = 200;
    static readonly ConcurrentQueue<string> Lines = new();

    /// <summary>Hangfire's lines from Debug (the retried failures) and everything else from Warning.</summary>
    public static void AddTo(ILoggingBuilder logging)
    {
        logging.AddProvider(new Provider());
        logging.AddFilter<Provider>("Hangfire", LogLevel.Debug);
        logging.AddFilter<Provider>((_, level) => level >= LogLevel.Warning); // the rule for any other category
    }

    /// <summary>The newest lines, oldest first; empty when nothing was logged.</summary>
    public static IReadOnlyList<string> Recent(int count) => Lines.ToArray().TakeLast(count).ToList();

    static void Add(string line)
    {
        Lines.Enqueue(line);
        while (Lines.Count > Kept) Lines.TryDequeue(out _);
    }

    [ProviderAlias("StudioLogTrail")]
    sealed class Provider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName);
        public void Dispose() { }
    }

    sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // Hangfire's Debug lines without an exception are its routine (a job's state changes): only failures are kept.
        public bool IsEnabled(LogLevel level) => level >= LogLevel.Debug;

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (level < LogLevel.Information && exception is null) return;
            var error = exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message.Split('\n')[0]}]";
            Add($"{DateTime.UtcNow:HH:mm:ss.fff} {level} {category}: {formatter(state, exception)}{error}");
        }
    }
}
