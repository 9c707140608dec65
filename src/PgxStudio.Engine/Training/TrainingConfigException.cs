namespace PgxStudio.Engine.Training;

/// <summary>A training or prediction config a user must fix; the message names the file or key and what to do.</summary>
public sealed class TrainingConfigException(string message, IReadOnlyList<string>? problems = null) : Exception(message)
{
    /// <summary>Every problem found, one sentence each (the message holds them joined).</summary>
    public IReadOnlyList<string> Problems { get; } = problems ?? [message];
}
