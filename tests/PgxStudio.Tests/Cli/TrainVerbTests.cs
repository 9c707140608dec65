using System.Text.Json;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>LLaMA-Factory's example config (adapted to the demo model) run end to end through `pgx train`.</summary>
public class TrainVerbTests
{
    static (string Root, string Example) Workspace()
    {
        var root = Directory.CreateTempSubdirectory("pgx-train-").FullName;
        DemoModel.Create(Path.Combine(root, "saves", "models", "pgx-demo-tiny"), "tiny", seed: 42);
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "data")))
        {
            Directory.CreateDirectory(Path.Combine(root, "data"));
            File.Copy(f, Path.Combine(root, "data", Path.GetFileName(f)));
        }
        return (root, Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_sft.yaml"));
    }

    static List<JsonElement> Train(string root, string config, params string[] overrides)
    {
        var previous = Directory.GetCurrentDirectory();
        var (code, stdout, stderr) = PgxIn(root, ["train", config, .. overrides]);
        Assert.True(code == 0, stdout + stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    static (int, string, string) PgxIn(string directory, string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Pgx.Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit(120_000);
        return (p.ExitCode, o.Result, e.Result);
    }

    static double[] Losses(List<JsonElement> events) =>
        events.Where(e => e.GetProperty("event").GetString() == "step").Select(e => e.GetProperty("loss").GetDouble()).ToArray();

    [Theory]
    [InlineData("lora", "1e-2")]
    [InlineData("freeze", "3e-3")]
    [InlineData("full", "3e-3")]
    public void The_loss_falls_and_LLaMA_Factory_outputs_are_written(string method, string lr)
    {
        var (root, example) = Workspace();
        var events = Train(root, example, $"finetuning_type={method}", "max_steps=16", $"learning_rate={lr}", "logging_steps=2",
            "save_steps=8", "bf16=false", "output_dir=saves/run", "freeze_trainable_layers=1");
        var losses = Losses(events);
        Assert.Equal(8, losses.Length);
        Assert.True(losses[^2..].Average() < losses[..2].Average() - 0.05, $"{method}: losses {string.Join(", ", losses)}");

        var output = Path.Combine(root, "saves", "run");
        foreach (var file in new[] { "trainer_log.jsonl", "trainer_state.json", "train_results.json", "all_results.json", "training_args.yaml", "training_loss.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.True(Directory.Exists(Path.Combine(output, "checkpoint-8")));
        if (method == "lora")
        {
            using var adapter = new SafetensorsFile(Path.Combine(output, "adapter_model.safetensors"));
            Assert.All(adapter.Entries.Keys, k => Assert.Matches(@"^base_model\.model\.model\.layers\.\d+\..+\.lora_[AB]\.weight$", k));
            // LoRA changes no base weight: the base model file is untouched.
            Assert.False(File.Exists(Path.Combine(output, "model.safetensors")));
        }
        else
            Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void Bad_configs_are_one_error_event_naming_the_key()
    {
        var (root, example) = Workspace();
        var (code, stdout, _) = PgxIn(root, ["train", example, "lora_rank=0", "output_dir=saves/bad"]);
        Assert.Equal(2, code);
        Assert.Contains("lora_rank", stdout);
        (code, stdout, _) = PgxIn(root, ["train", example, "dataset=nope", "output_dir=saves/bad2"]);
        Assert.Equal(2, code);
        Assert.Contains("'nope' is not in data/dataset_info.json", stdout);
    }
}
