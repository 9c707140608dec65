namespace PgxStudio.Engine.Data;

/// <summary>A dataset problem the user can fix; the message is one sentence naming the file, dataset or field.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
