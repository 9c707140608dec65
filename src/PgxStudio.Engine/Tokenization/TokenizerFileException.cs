namespace PgxStudio.Engine.Tokenization;

/// <summary>A tokenizer file that cannot be used; the message names the file and what to do.</summary>
public sealed class TokenizerFileException(string message, Exception? inner = null) : Exception(message, inner);
