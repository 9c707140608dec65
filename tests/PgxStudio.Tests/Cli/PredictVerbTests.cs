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

    [Fact]
    public void Prompts_keep_their_special_tokens_as_LLaMA_Factory_writes_them_and_enable_thinking_false_closes_a_thought()
    {
        var root = Directory.CreateTempSubdirectory("pgx-predict-").FullName;
        DemoModel.Create(Path.Combine(root, "saves", "models", "pgx-demo-tiny"), "tiny", seed: 42);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "data"))) File.Copy(f, Path.Combine(root, "data", Path.GetFileName(f)));
        var config = Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_predict.yaml");
        var first = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "data", "identity.json"))).RootElement[0];
        var turn = $"<|im_start|>user\n{first.GetProperty("instruction").GetString()}<|im_end|>\n<|im_start|>assistant\n";

        string FirstPrompt(string output, params string[] settings)
        {
            var (exitCode, stdout, stderr) = Pgx.RunIn(root, TimeSpan.FromSeconds(120), ["predict", config, "adapter_name_or_path=null", "max_samples=1",
                "max_new_tokens=2", "do_sample=false", $"output_dir=saves/{output}", .. settings]);
            Assert.True(exitCode == 0, stdout + stderr);
            Assert.DoesNotContain("enable_thinking' is ignored", stdout + stderr);
            var line = File.ReadLines(Path.Combine(root, "saves", output, "generated_predictions.jsonl")).First();
            return JsonDocument.Parse(line).RootElement.GetProperty("prompt").GetString()!;
        }

        Assert.Equal(turn, FirstPrompt("nothink"));
        Assert.Equal(turn + "<think>\n\n</think>\n\n", FirstPrompt("thinking-off", "template=qwen3", "enable_thinking=false"));
        Assert.Equal(turn, FirstPrompt("thinking-on", "template=qwen3"));
    }
}
