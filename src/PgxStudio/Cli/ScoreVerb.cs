using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PgxStudio.Engine.Evaluation;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx score --predictions FILE.jsonl [--json] [--jieba DIR]`: BLEU-4 and ROUGE-1/2/L of any predictions file
/// (ours, LLaMA-Factory's or vLLM's generated_predictions.jsonl), computed as LLaMA-Factory does.
/// </summary>
public static class ScoreVerb
{
    public static Command Create()
    {
        var predictions = new Option<string>("--predictions") { Description = "A .jsonl file with one {\"prompt\",\"predict\",\"label\"} object per line.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the scores as one JSON object." };
        var jieba = new Option<string?>("--jieba") { Description = "jieba package folder holding dict.txt and finalseg/ (default: PGX_JIEBA_PATH, then an installed jieba)." };
        var command = new Command("score", "Recompute BLEU-4 and ROUGE-1/2/L of a predictions file.");
        command.Options.Add(predictions);
        command.Options.Add(json);
        command.Options.Add(jieba);
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(predictions)!, parse.GetValue(json), parse.GetValue(jieba))));
        return command;
    }

    static int Run(string path, bool asJson, string? jiebaFolder)
    {
        SimilarityReport report;
        try
        {
            var rows = PredictionsFile.Read(path);
            if (rows.Count == 0) throw new InvalidDataException($"{path} holds no predictions; each line must be one {{\"prompt\", \"predict\", \"label\"}} object.");
            report = SimilarityMetrics.Score(rows.Select(r => (r.Predict, r.Label)), SimilarityMetrics.DefaultSegmenter(jiebaFolder));
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (asJson)
        {
            var result = new Dictionary<string, object>();
            foreach (var (key, value) in report.PredictResults) result[key] = value;
            result["samples"] = report.Samples.Count;
            result["segmenter"] = report.Segmenter;
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            foreach (var (key, value) in report.PredictResults)
                Console.WriteLine($"{key,-16} {value.ToString("F4", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"{"samples",-16} {report.Samples.Count}");
            Console.WriteLine($"{"segmenter",-16} {report.Segmenter}");
        }
        return 0;
    }
}
