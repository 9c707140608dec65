using System.Text.Json;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

public class PredictVerbTests
{
    [Fact]
    public void Batch_prediction_writes_LLaMA_Factorys_files_and_score_recomputes_the_same_metrics()
    {
        var root = Directory.CreateTempSubdirectory("pgx-predict-").FullName;
        DemoModel.Create(Path.Combine(root, "saves", "models", "pgx-demo-tiny"), "tiny", seed: 42);
        CommittedFiles.CopyTo("data", Path.Combine(root, "data"));
        var config = Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_predict.yaml");

        var (exitCode, stdout, _) = Pgx.RunIn(root, TimeSpan.FromSeconds(120), "predict", config, "adapter_name_or_path=null", "max_samples=5",
            "max_new_tokens=6", "per_device_eval_batch_size=2", "do_sample=false", "output_dir=saves/predict");
        Assert.True(exitCode == 0, stdout);
        Assert.Equal(3, stdout.Split('\n').Count(l => l.Contains("\"event\":\"step\"")));
        var output = Path.Combine(root, "saves", "predict");
        var lines = File.ReadAllLines(Path.Combine(output, "generated_predictions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5, lines.Count);
        Assert.All(lines, l => { l.GetProperty("prompt"); l.GetProperty("predict"); Assert.False(string.IsNullOrEmpty(l.GetProperty("label").GetString())); });
        Assert.Contains("user", lines[0].GetProperty("prompt").GetString());

        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "predict_results.json"))).RootElement;
        foreach (var key in new[] { "predict_bleu-4", "predict_rouge-1", "predict_rouge-2", "predict_rouge-l", "predict_runtime", "predict_samples_per_second", "predict_steps_per_second" })
            Assert.True(results.TryGetProperty(key, out _), key);
        var (code, scored, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "score", "--predictions", Path.Combine(output, "generated_predictions.jsonl"), "--json");
        Assert.True(code == 0, stderr);
        var recomputed = JsonDocument.Parse(scored).RootElement;
        foreach (var key in new[] { "predict_bleu-4", "predict_rouge-1", "predict_rouge-2", "predict_rouge-l" })
            Assert.Equal(results.GetProperty(key).GetDouble(), recomputed.GetProperty(key).GetDouble());
    }
}
