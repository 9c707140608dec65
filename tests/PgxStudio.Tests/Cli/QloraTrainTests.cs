using System.Text.Json;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>
/// QLoRA as LLaMA-Factory configures it, through `pgx train`: the loss follows plain LoRA's, the adapter is an
/// ordinary PEFT adapter that predicts with or without quantizing the base, the run records its peak memory, and
/// what the engine cannot train on is one sentence.
/// </summary>
public class QloraTrainTests
{
    static string Workspace()
    {
        var root = Directory.CreateTempSubdirectory("pgx-qlora-").FullName;
        DemoModel.Create(Path.Combine(root, "saves", "models", "pgx-demo-tiny"), "tiny", seed: 42);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "data"))) File.Copy(f, Path.Combine(root, "data", Path.GetFileName(f)));
        return root;
    }

    static string Example(string name) => Path.Combine(RepoPaths.Root, "examples", "train_lora", name);

    static (int Code, string Stdout) Pgx(string root, params string[] args)
    {
        var (code, stdout, stderr) = TestSupport.Pgx.RunIn(root, TimeSpan.FromSeconds(240), args);
        return (code, stdout + stderr);
    }

    static double[] Losses(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("event").GetString() == "step")
        .Select(e => e.GetProperty("loss").GetDouble()).ToArray();

    [Fact]
    public void A_4_bit_run_tracks_LoRA_and_its_adapter_predicts_on_a_plain_or_quantized_base()
    {
        var root = Workspace();
        string[] common = ["train", Example("pgx_demo_lora_sft.yaml"), "max_steps=30", "learning_rate=1e-2", "logging_steps=5", "bf16=false", "plot_loss=false",
            "gradient_accumulation_steps=1", "cutoff_len=256"];
        var (code, lora) = Pgx(root, [.. common, "output_dir=saves/lora"]);
        Assert.True(code == 0, lora);
        (code, var qlora) = Pgx(root, [.. common, "output_dir=saves/qlora", "quantization_bit=4"]);
        Assert.True(code == 0, qlora);
        double plainEnd = Losses(lora)[^1], quantizedEnd = Losses(qlora)[^1];
        Assert.True(Losses(qlora)[^1] < Losses(qlora)[0] - 0.3, $"QLoRA losses {string.Join(", ", Losses(qlora))}");
        Assert.True(Math.Abs(quantizedEnd / plainEnd - 1) < 0.02, $"after 30 steps LoRA {plainEnd}, QLoRA {quantizedEnd}");

        var output = Path.Combine(root, "saves", "qlora");
        using (var adapter = new SafetensorsFile(Path.Combine(output, "adapter_model.safetensors")))
        using (var plain = new SafetensorsFile(Path.Combine(root, "saves", "lora", "adapter_model.safetensors")))
            Assert.Equal(plain.Entries.Keys.Order(), adapter.Entries.Keys.Order());
        Assert.Contains("quantization_bit: 4", File.ReadAllText(Path.Combine(output, "training_args.yaml")));
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "train_results.json"))).RootElement;
        Assert.True(results.GetProperty("peak_memory_bytes").GetDouble() > 50e6);

        foreach (var quantize in new[] { "quantization_bit=4", "quantization_bit=null" })
        {
            (code, var predicted) = Pgx(root, "predict", Example("pgx_demo_lora_predict.yaml"), "adapter_name_or_path=saves/qlora", quantize,
                "max_samples=2", "max_new_tokens=4", "do_sample=false", $"output_dir=saves/predict-{quantize.Replace('=', '-')}");
            Assert.True(code == 0, predicted);
        }
    }

    [Theory]
    [InlineData("quantization_method=gptq", "quantization_method: gptq is not supported")]
    [InlineData("quantization_bit=3", "quantization_bit: 3 is not supported")]
    [InlineData("quantization_type=int4", "quantization_type: int4 is not supported")]
    [InlineData("finetuning_type=full", "quantization_bit trains a quantized base with LoRA only")]
    public void What_the_engine_cannot_train_on_is_one_sentence_saying_what_is_supported(string setting, string sentence)
    {
        var root = Workspace();
        string[] bits = setting.StartsWith("quantization_bit") ? [setting] : ["quantization_bit=4", setting];
        var (code, stdout) = Pgx(root, ["train", Example("pgx_demo_lora_sft.yaml"), "output_dir=saves/bad", .. bits]);
        Assert.Equal(2, code);
        Assert.Contains(sentence, stdout);
        Assert.False(Directory.Exists(Path.Combine(root, "saves", "bad", "checkpoint-1")));
    }
}
