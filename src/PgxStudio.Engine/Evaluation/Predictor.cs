using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// Batch prediction as LLaMA-Factory's `do_predict` does it: the prompt is every turn before the last, the label
/// is the last response; generation in left-padded batches; then generated_predictions.jsonl and
/// predict_results.json (BLEU-4, ROUGE-1/2/L, runtime, samples/s, steps/s) in output_dir.
/// </summary>
public static class Predictor
{
    public sealed record Progress(int Batches, int TotalBatches, int Samples);

    public static IReadOnlyDictionary<string, double> Run(TrainingArguments args, Action<Progress> progress, CancellationToken stop)
    {
        var modelDir = args.ModelNameOrPath ?? throw new TrainingConfigException("model_name_or_path is required.");
        var outputDir = args.OutputDir ?? throw new TrainingConfigException("output_dir is required.");
        using var model = InferenceModel.Load(modelDir, args.AdapterPaths, Training.TrainingPrecision.Quantization(args));
        var tokenizer = HfTokenizer.Load(modelDir);
        var template = args.ChatTemplate(modelDir);
        var names = args.EvalDatasetNames.Count > 0 ? args.EvalDatasetNames : args.DatasetNames;
        var conversations = DatasetLoader.Load(DatasetRegistry.Load(args.DatasetDir), names,
            new DatasetLoadOptions { MaxSamples = args.MaxSamples, Seed = args.Seed, Stage = "predict" }).Train;
        var options = new GenerationOptions
        {
            MaxNewTokens = args.MaxNewTokens, DoSample = args.DoSample, Temperature = args.Temperature, TopP = args.TopP,
            TopK = args.TopK, RepetitionPenalty = args.RepetitionPenalty, Seed = args.Seed,
            StopTokenIds = template.StopTokenIds(tokenizer).ToList(), VocabularyLimit = tokenizer.VocabularySize,
        };
        var generator = new TokenGenerator(model);
        var batches = conversations.Chunk(Math.Max(1, args.PerDeviceEvalBatchSize)).ToList();
        var rows = new List<(string Prompt, string Predict, string Label)>();
        var clock = Stopwatch.StartNew();
        progress(new Progress(0, batches.Count, 0)); // loaded: the batches are known before the first is generated
        foreach (var batch in batches)
        {
            if (stop.IsCancellationRequested) break;
            var prompts = batch.Select(c => SupervisedEncoder.EncodeForPrediction(c, template, tokenizer, args.CutoffLen).InputIds).ToList();
            var outputs = generator.Generate(prompts.Select(p => (IReadOnlyList<int>)p).ToList(), options, stop);
            // As LLaMA-Factory's save_predictions: the prompt keeps its special tokens (the template's markers show what
            // the model saw); the prediction is decoded without them.
            for (int i = 0; i < batch.Length; i++)
                rows.Add((tokenizer.Decode(prompts[i], skipSpecialTokens: false), WithoutThought(tokenizer.Decode(outputs[i], skipSpecialTokens: true)),
                    batch[i].Response.LastOrDefault()?.Content ?? ""));
            progress(new Progress(rows.Count == 0 ? 0 : batches.IndexOf(batch) + 1, batches.Count, rows.Count));
        }
        double runtime = clock.Elapsed.TotalSeconds;

        Directory.CreateDirectory(outputDir);
        var relaxed = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllLines(Path.Combine(outputDir, "generated_predictions.jsonl"),
            rows.Select(r => JsonSerializer.Serialize(new { prompt = r.Prompt, predict = r.Predict, label = r.Label }, relaxed)));
        var report = SimilarityMetrics.Score(rows.Select(r => (r.Predict, r.Label)));
        var results = new Dictionary<string, double>(report.PredictResults)
        {
            ["predict_runtime"] = Math.Round(runtime, 4),
            ["predict_samples_per_second"] = Math.Round(rows.Count / Math.Max(runtime, 1e-9), 3),
            ["predict_steps_per_second"] = Math.Round(batches.Count / Math.Max(runtime, 1e-9), 3),
        };
        var json = new JsonObject();
        foreach (var (k, v) in results) json[k] = v;
        File.WriteAllText(Path.Combine(outputDir, "predict_results.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return results;
    }

    /// <summary>Qwen3 may think first; the scored answer is what follows the thought.</summary>
    static string WithoutThought(string text) => Regex.Replace(text, @"^\s*<think>.*?</think>\s*", "", RegexOptions.Singleline);
}
