using System.Text.Json.Nodes;
using PgxStudio.Engine.Training;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>A finished train run's measured peak memory, as its worker wrote it to train_results.json.</summary>
public sealed class RunPeakMemory(RunFiles files)
{
    public long? Of(Run run)
    {
        if (run.Kind != RunKind.Train) return null;
        var path = Path.Combine(files.FolderOf(run), TrainResults.FileName);
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path))?["peak_memory_bytes"] is JsonValue v ? (long)v.GetValue<double>() : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null; // a half-written or hand-edited file: the page shows no figure rather than failing
        }
    }
}
