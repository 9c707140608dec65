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

    /// <summary>
    /// Drops lines past <paramref name="step"/> from an existing log: a run resumed from checkpoint-N redoes the
    /// steps after N, and the curve should show them once.
    /// </summary>
    public static void TruncateAfter(string outputDir, int step)
    {
        var path = System.IO.Path.Combine(outputDir, FileName);
        if (!File.Exists(path)) return;
        var kept = File.ReadAllLines(path).Where(line =>
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                return !doc.RootElement.TryGetProperty("current_steps", out var s) || s.GetInt32() <= step;
            }
            catch (System.Text.Json.JsonException) { return false; } // a line cut by a crash
        }).ToArray();
        AtomicFile.WriteAllText(path, kept.Length == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    public void Write(TrainerLogEntry entry)
    {
        _writer.WriteLine(entry.ToJsonLine());
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
