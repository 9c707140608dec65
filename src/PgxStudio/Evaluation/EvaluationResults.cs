using System.Text.Json;
using PgxStudio.Engine.Evaluation;

namespace PgxStudio.Evaluation;

/// <summary>One predicted sample with its own scores (the figures LLaMA-Factory averages).</summary>
public sealed record EvaluatedSample(int Index, string Prompt, string Predict, string Label, SampleScores Scores);

/// <summary>What a finished evaluation shows: predict_results.json's figures and every sample scored.</summary>
public sealed record EvaluationResult(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<EvaluatedSample> Samples, string Segmenter)
{
    public double? Metric(string key) => Metrics.TryGetValue(key, out var v) ? v : null;
}

/// <summary>Reads an evaluation's output folder: the files `pgx predict` (or LLaMA-Factory) writes.</summary>
public static class EvaluationResults
{
    public const string PredictionsFileName = "generated_predictions.jsonl", ResultsFileName = "predict_results.json";

    /// <summary>The scores pages show, as predict_results.json names them and as people call them.</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Figures =
        [("predict_bleu-4", "BLEU-4"), ("predict_rouge-1", "ROUGE-1"), ("predict_rouge-2", "ROUGE-2"), ("predict_rouge-l", "ROUGE-L")];

    // jieba's dictionary takes seconds to load: once per studio, not once per page opened.
    static readonly Lazy<IWordSegmenter> SharedSegmenter = new(() => SimilarityMetrics.DefaultSegmenter());

    /// <summary>The results, or null when the run has not written them; a broken file is one sentence (InvalidDataException).</summary>
    public static EvaluationResult? Load(string folder, IWordSegmenter? segmenter = null)
    {
        var predictions = Path.Combine(folder, PredictionsFileName);
        if (!File.Exists(predictions)) return null;
        var rows = PredictionsFile.Read(predictions);
        var report = SimilarityMetrics.Score(rows.Select(r => (r.Predict, r.Label)), segmenter ?? SharedSegmenter.Value);
        var samples = rows.Select((r, i) => new EvaluatedSample(i, r.Prompt, r.Predict, r.Label, report.Samples[i])).ToList();
        return new EvaluationResult(ReadMetrics(Path.Combine(folder, ResultsFileName)), samples, report.Segmenter);
    }

    /// <summary>The numbers in predict_results.json (empty when the file is not there yet).</summary>
    public static IReadOnlyDictionary<string, double> ReadMetrics(string path)
    {
        if (!File.Exists(path)) return new Dictionary<string, double>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)
                .ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message.Split('.')[0]}); run the evaluation again or recompute it with pgx score.");
        }
    }

    /// <summary>Samples ordered by one of their scores, best first or worst first.</summary>
    public static IEnumerable<EvaluatedSample> SortBy(IEnumerable<EvaluatedSample> samples, string metric, bool descending)
    {
        Func<EvaluatedSample, double> key = metric switch
        {
            "bleu-4" => s => s.Scores.Bleu4,
            "rouge-1" => s => s.Scores.Rouge1,
            "rouge-2" => s => s.Scores.Rouge2,
            "rouge-l" => s => s.Scores.RougeL,
            _ => s => s.Index,
        };
        return descending ? samples.OrderByDescending(key).ThenBy(s => s.Index) : samples.OrderBy(key).ThenBy(s => s.Index);
    }
}
