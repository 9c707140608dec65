using System.Globalization;
using System.Text.Json;
using PgxStudio.Engine.Training;
using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>A train run's trainer_log.jsonl read back as metric rows (one per line; a line cut by a crash is skipped).</summary>
public static class TrainerLogMetrics
{
    public static IReadOnlyList<RunMetric> Read(string outputDir)
    {
        var path = Path.Combine(outputDir, TrainerLogWriter.FileName);
        if (!File.Exists(path)) return [];
        var rows = new List<RunMetric>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                if (!e.TryGetProperty("current_steps", out var step)) continue;
                rows.Add(new RunMetric
                {
                    Step = step.GetInt32(),
                    Epoch = Number(e, "epoch"),
                    Loss = Number(e, "loss"),
                    EvalLoss = Number(e, "eval_loss"),
                    LearningRate = Number(e, "lr"),
                    TokensPerSecond = Number(e, "throughput"),
                    ElapsedSeconds = e.TryGetProperty("elapsed_time", out var t) && t.ValueKind == JsonValueKind.String ? Seconds(t.GetString()!) : null,
                });
            }
            catch (JsonException) { }
        }
        return rows;
    }

    static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>"0:05:07" or "1 day, 2:03:04" (Python's timedelta) back to seconds.</summary>
    static double? Seconds(string text)
    {
        double days = 0;
        var comma = text.IndexOf(',');
        if (comma >= 0)
        {
            if (!double.TryParse(text[..text.IndexOf(' ')], NumberStyles.Integer, CultureInfo.InvariantCulture, out days)) return null;
            text = text[(comma + 1)..].Trim();
        }
        var parts = text.Split(':');
        if (parts.Length != 3) return null;
        double total = days * 86400;
        foreach (var (part, scale) in parts.Zip(new[] { 3600.0, 60.0, 1.0 }))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return null;
            total += v * scale;
        }
        return total;
    }
}
