namespace PgxStudio.Hosting;

/// <summary>A start-up problem the user can fix; its message is the one sentence printed, without a stack trace.</summary>
public sealed class StartupProblem(string message, Exception? inner = null) : Exception(message, inner);
