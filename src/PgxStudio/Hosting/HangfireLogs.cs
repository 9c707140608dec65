using Hangfire.Logging;
using MsLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace PgxStudio.Hosting;

/// <summary>
/// Hangfire keeps one log provider for the whole process (a static), and by default binds it to the logger factory of
/// whichever studio host registered last. A process can hold several studios, one after another or side by side (the
/// tests do): once that host is disposed, every other host's Hangfire calls throw ObjectDisposedException from its
/// factory. Here each host's factory joins while the host lives, and Hangfire's lines go to the newest one still alive.
/// </summary>
public sealed class HangfireLogs : ILogProvider
{
    public static readonly HangfireLogs Shared = new();
    static readonly Lock Gate = new();
    static readonly List<ILoggerFactory> Alive = [];

    HangfireLogs() { }

    public ILog GetLogger(string name) => new Log(name);

    static ILoggerFactory? Newest() { lock (Gate) return Alive.Count == 0 ? null : Alive[^1]; }

    /// <summary>
    /// One host's place: a singleton of the host's container, so its factory receives Hangfire's lines from when the
    /// host configures Hangfire until the container is disposed.
    /// </summary>
    public sealed class Membership : IDisposable
    {
        readonly ILoggerFactory _factory;

        public Membership(ILoggerFactory factory)
        {
            _factory = factory;
            lock (Gate) Alive.Add(factory);
        }

        public HangfireLogs Provider => Shared;

        public void Dispose() { lock (Gate) Alive.Remove(_factory); }
    }

    sealed class Log(string name) : ILog
    {
        bool ILog.Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception)
        {
            try
            {
                if (Newest()?.CreateLogger(name) is not { } logger) return false;
                var level = ToMicrosoft(logLevel);
                // Hangfire asks "is this level on?" with no message.
                if (messageFunc is null) return logger.IsEnabled(level);
                logger.Log(level, exception, "{Message}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // its host was disposed between Newest() and the call
            }
        }
    }

    static MsLogLevel ToMicrosoft(Hangfire.Logging.LogLevel level) => level switch
    {
        Hangfire.Logging.LogLevel.Trace => MsLogLevel.Trace,
        Hangfire.Logging.LogLevel.Debug => MsLogLevel.Debug,
        Hangfire.Logging.LogLevel.Info => MsLogLevel.Information,
        Hangfire.Logging.LogLevel.Warn => MsLogLevel.Warning,
        Hangfire.Logging.LogLevel.Error => MsLogLevel.Error,
        _ => MsLogLevel.Critical,
    };
}
