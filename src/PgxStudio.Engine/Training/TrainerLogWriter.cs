namespace PgxStudio.Engine.Training;

/// <summary>
/// Appends to a run's trainer_log.jsonl (LLaMA-Factory's live log, which LlamaBoard and our Runs page read),
/// flushing each line so a reader tailing the file sees every step as it happens.
/// </summary>
public sealed class TrainerLogWriter : IDisposable
{
    public const string FileName = "trainer_log.jsonl";
    readonly StreamWriter _writer;

    public string Path { get; }

    /// <param name="append">true when resuming into the run's folder; false starts the log afresh.</param>
    public TrainerLogWriter(string outputDir, bool append)
    {
        Path = System.IO.Path.Combine(outputDir, FileName);
        _writer = new StreamWriter(new FileStream(Path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            NewLine = "\n",
        };
    }

    public void Write(TrainerLogEntry entry)
    {
        _writer.WriteLine(entry.ToJsonLine());
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
