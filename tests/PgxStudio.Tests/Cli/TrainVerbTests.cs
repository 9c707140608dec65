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
        CommittedFiles.CopyTo("data", Path.Combine(root, "data"));
        return (root, Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_sft.yaml"));
    }

    static List<JsonElement> Train(string root, string config, params string[] overrides)
    {
        var (code, stdout, stderr) = PgxIn(root, ["train", config, .. overrides]);
        Assert.True(code == 0, stdout + stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    static (int, string, string) PgxIn(string directory, string[] args) => Pgx.RunIn(directory, TimeSpan.FromSeconds(300), args);

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
    public void Freeze_trains_only_the_chosen_modules_of_the_chosen_layers_and_the_extra_modules()
    {
        var (root, example) = Workspace();
        // The first layer (-1), only its MLP, plus the final norm: LLaMA-Factory's freeze keys.
        Train(root, example, "finetuning_type=freeze", "freeze_trainable_layers=-1", "freeze_trainable_modules=mlp",
            "freeze_extra_modules=norm", "max_steps=3", "learning_rate=1e-2", "bf16=false", "output_dir=saves/freeze");

        using var before = new SafetensorsFile(Path.Combine(root, "saves", "models", "pgx-demo-tiny", "model.safetensors"));
        using var after = new SafetensorsFile(Path.Combine(root, "saves", "freeze", "model.safetensors"));
        var changed = before.Entries.Keys.Where(name =>
        {
            using var a = before.Read(name);
            using var b = after.Read(name);
            return !a.to_type(TorchSharp.torch.ScalarType.Float32).allclose(b.to_type(TorchSharp.torch.ScalarType.Float32), rtol: 0, atol: 0);
        }).Order().ToList();
        var expected = before.Entries.Keys.Where(n => n.StartsWith("model.layers.0.mlp.") || n == "model.norm.weight").Order().ToList();
        Assert.Equal(4, expected.Count); // gate, up and down projections, and the norm
        Assert.Equal(expected, changed);
    }

    [Fact]
    public void A_freeze_module_the_model_lacks_is_named_with_the_ones_it_has()
    {
        var (root, example) = Workspace();
        var (code, stdout, _) = PgxIn(root, ["train", example, "finetuning_type=freeze", "freeze_trainable_modules=mlp,ffn", "output_dir=saves/bad"]);
        Assert.Equal(2, code);
        Assert.Contains("freeze_trainable_modules names ffn", stdout);
        Assert.Contains("input_layernorm,mlp,post_attention_layernorm,self_attn", stdout);
        (code, stdout, _) = PgxIn(root, ["train", example, "finetuning_type=freeze", "freeze_trainable_layers=0", "output_dir=saves/bad2"]);
        Assert.Equal(2, code);
        Assert.Contains("freeze_trainable_layers is 0", stdout);
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

    [Fact]
    public void The_same_seed_and_data_give_the_same_losses()
    {
        var (root, example) = Workspace();
        string[] common = ["max_steps=6", "learning_rate=1e-2", "logging_steps=1", "bf16=false"];
        var first = Losses(Train(root, example, [.. common, "output_dir=saves/one"]));
        var second = Losses(Train(root, example, [.. common, "output_dir=saves/two"]));
        Assert.Equal(first, second);
        Assert.NotEqual(first, Losses(Train(root, example, [.. common, "output_dir=saves/three", "seed=7"])));
    }

    [Fact]
    public void A_lora_run_can_start_from_a_finished_runs_adapter_and_keeps_its_rank()
    {
        var (root, example) = Workspace();
        string[] common = ["max_steps=12", "learning_rate=1e-2", "logging_steps=1", "bf16=false", "lora_rank=4"];
        var first = Losses(Train(root, example, [.. common, "output_dir=saves/first"]));
        // The second run asks for rank 8 but continues the rank-4 adapter: it starts where the first one ended.
        var second = Losses(Train(root, example, [.. common, "output_dir=saves/second", "adapter_name_or_path=saves/first", "lora_rank=8"]));
        var fresh = Losses(Train(root, example, [.. common, "output_dir=saves/fresh", "lora_rank=8"]));
        Assert.True(second[0] < fresh[0] - 0.05, $"continued run starts at {second[0]}, a fresh one at {fresh[0]}");
        Assert.True(Math.Abs(second[0] - first[^3..].Average()) < 0.3, $"continued run starts at {second[0]}; the first ended near {first[^3..].Average()}");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "saves", "second", "adapter_config.json")));
        Assert.Equal(4, config.RootElement.GetProperty("r").GetInt32());
    }

    [Fact]
    public void Resuming_from_a_checkpoint_reproduces_the_uninterrupted_runs_later_losses()
    {
        var (root, example) = Workspace();
        string[] common = ["max_steps=16", "learning_rate=1e-2", "logging_steps=1", "save_steps=8", "bf16=false", "gradient_accumulation_steps=2"];
        var straight = Losses(Train(root, example, [.. common, "output_dir=saves/straight"]));
        Assert.Equal(16, straight.Length);

        var resumed = Path.Combine(root, "saves", "resumed");
        CopyFolder(Path.Combine(root, "saves", "straight", "checkpoint-8"), Path.Combine(resumed, "checkpoint-8"));
        var events = Train(root, example, [.. common, "output_dir=saves/resumed", "resume_from_checkpoint=true"]);
        // Each progress event follows its line for the run's log; the first event proper is the start.
        var started = events.First(e => e.GetProperty("event").GetString() != "log");
        Assert.Equal("started", started.GetProperty("event").GetString());
        Assert.Equal("resumed from checkpoint-8", started.GetProperty("message").GetString());
        var later = Losses(events);
        Assert.Equal(8, later.Length);
        for (int i = 0; i < 8; i++) Assert.Equal(straight[8 + i], later[i], 3);
    }

    [Fact]
    public void A_stop_signal_finishes_the_step_saves_a_checkpoint_and_exits_cancelled()
    {
        var (root, example) = Workspace();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Pgx.Dll, "train", example, "max_steps=2000", "logging_steps=1", "save_steps=1000", "bf16=false", "output_dir=saves/stopped" })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
            if (line.Contains("\"event\":\"step\"") && lines.Count(l => l.Contains("\"step\"")) == 3)
                PgxStudio.Jobs.PosixSignals.Send(process.Id, PgxStudio.Jobs.PosixSignals.SigTerm);
        }
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(PgxStudio.Jobs.WorkerExitCodes.Cancelled, process.ExitCode);
        var checkpoint = lines.Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("event").GetString() == "checkpoint");
        Assert.True(Directory.Exists(Path.Combine(root, checkpoint.GetProperty("path").GetString()!)));
        Assert.True(File.Exists(Path.Combine(root, checkpoint.GetProperty("path").GetString()!, "adapter_model.safetensors")));
    }

    [Fact]
    public void With_val_size_the_eval_loss_is_reported()
    {
        var (root, example) = Workspace();
        var events = Train(root, example, "max_steps=8", "learning_rate=1e-2", "logging_steps=2", "bf16=false", "val_size=0.2", "eval_steps=4", "output_dir=saves/eval");
        var evals = events.Where(e => e.GetProperty("event").GetString() == "eval").ToList();
        Assert.Equal(2, evals.Count);
        Assert.All(evals, e => Assert.True(e.GetProperty("eval_loss").GetDouble() > 0));
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyFolder(d, Path.Combine(to, Path.GetFileName(d)));
    }
}

public class ExportVerbTests
{
    [Fact]
    public void An_exported_merge_reloads_with_the_logits_of_base_plus_adapter()
    {
        PgxStudio.Engine.Native.TorchRuntime.Initialize();
        var root = Directory.CreateTempSubdirectory("pgx-export-").FullName;
        var model = Path.Combine(root, "saves", "models", "pgx-demo-tiny");
        PgxStudio.Engine.Models.Demo.DemoModel.Create(model, "tiny", seed: 42);
        using (var lm = PgxStudio.Engine.Models.CausalLM.Load(model, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU))
        {
            var settings = new PgxStudio.Engine.Peft.LoraSettings(4, 8, 0, PgxStudio.Engine.Peft.LoraSettings.AllLinear);
            PgxStudio.Engine.Peft.LoraAdapter.Attach(lm, settings, 1);
            using (TorchSharp.torch.no_grad())
                foreach (var (_, p) in lm.named_parameters().Where(p => p.name.EndsWith("lora_B.weight"))) p.copy_(TorchSharp.torch.randn(p.shape) * 0.1);
            PgxStudio.Engine.Peft.LoraAdapter.Save(lm, settings, model, Path.Combine(root, "saves", "adapter"));
        }
        var config = Path.Combine(RepoPaths.Root, "examples", "merge_lora", "pgx_demo_lora_sft.yaml");
        var (exitCode, _, err) = Pgx.RunIn(root, TimeSpan.FromSeconds(60), "export", config, "adapter_name_or_path=saves/adapter", "export_dir=saves/merged");
        Assert.True(exitCode == 0, err);
        var merged = Path.Combine(root, "saves", "merged");
        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(merged, f)), f);

        using var ids = TorchSharp.torch.tensor(new long[] { 5, 9, 200, 33, 1, 70 }, [1, 6]);
        using var live = PgxStudio.Engine.Models.CausalLM.Load(model, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        PgxStudio.Engine.Peft.LoraAdapter.Apply(live, Path.Combine(root, "saves", "adapter"), merge: false);
        using var exported = PgxStudio.Engine.Models.CausalLM.Load(merged, TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.CPU);
        using var a = live.Forward(ids);
        using var b = exported.Forward(ids);
        Assert.True((a - b).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void An_export_without_export_dir_is_refused()
    {
        var config = Path.Combine(RepoPaths.Root, "examples", "merge_lora", "pgx_demo_lora_sft.yaml");
        var (code, _, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "export", config, "export_dir=null");
        Assert.Equal(2, code);
        Assert.Contains("export_dir is required", stderr);
    }
}
