using System.Text.Json.Nodes;
using PgxStudio.Engine.Export;
using PgxStudio.Engine.Tests.Models;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// What pgx export refuses — one sentence naming the file, line or key — without writing or overwriting anything, and
/// what it replaces: only an earlier export, and only once the new one is complete.
/// </summary>
public class ExportInputTests
{
    static ArgumentException Refused(string yaml) => Assert.Throws<ArgumentException>(() => ExportRunner.Run(ExportSettings.Parse(yaml, "export.yaml", [])));

    static void OneSentence(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.EndsWith(".", message);
        Assert.DoesNotMatch(@"\.\s+[A-Z]", message); // no second sentence
    }

    static string Target() => Path.Combine(ExportFixtures.TempFolder("pgx-export-input-"), "out");

    [Theory]
    [InlineData("export_format: onnx", "export.yaml line 3: export_format onnx is not one of hf, gguf, nvfp4, fp8.")]
    [InlineData("export_format: gguf\nexport_quantization: q5_k_m", "export.yaml line 4: export_quantization q5_k_m is not one of f16, bf16, q8_0, q4_k_m.")]
    [InlineData("export_format: nvfp4\nexport_quantization: q4_k_m", "export.yaml line 4: export_quantization is q4_k_m, but it only chooses the GGUF types; add gguf to export_format or remove it (nvfp4 and fp8 are formats of their own).")]
    [InlineData("quantization_bit: 4", "export.yaml line 3: quantization_bit is 4: that asks for a quantized base, and adapters cannot be merged into a quantized model; remove quantization_bit to merge into the original full-precision weights.")]
    [InlineData("export_format: fp8", "export.yaml: export_quantization_dataset is required for fp8: activation scales come from a calibration pass, so name a dataset of data/dataset_info.json or a .txt/.jsonl file.")]
    [InlineData("export_device: cuda:1", "export.yaml line 3: export_device is cuda:1; it must be cpu or auto (the accelerator when there is one).")]
    public void A_config_it_cannot_honour_is_one_sentence_naming_the_line_and_key(string extra, string sentence)
    {
        var e = Assert.Throws<ArgumentException>(() => ExportSettings.Parse($"model_name_or_path: m\nexport_dir: out\n{extra}", "export.yaml", []));
        Assert.Equal(sentence, e.Message);
        OneSentence(e.Message);
    }

    [Fact]
    public void A_quantized_base_is_refused_before_anything_is_written()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "config.json")))!.AsObject();
        config["quantization_config"] = new JsonObject { ["quant_method"] = "bitsandbytes", ["load_in_4bit"] = true };
        File.WriteAllText(Path.Combine(model, "config.json"), config.ToJsonString());
        var target = Target();
        var e = Refused($"model_name_or_path: {model}\nexport_dir: {target}\nexport_format: gguf");
        Assert.Contains("has a quantization_config (bitsandbytes): adapters cannot be merged into quantized weights", e.Message);
        OneSentence(e.Message);
        Assert.False(Directory.Exists(target));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public void A_format_the_model_cannot_take_is_refused()
    {
        // 72 is not a multiple of NVFP4's 16-value blocks.
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3() with { HiddenSize = 72 });
        var e = Refused($"model_name_or_path: {model}\nexport_dir: {Target()}\nexport_format: nvfp4\nexport_quantization_dataset: identity\ndataset_dir: {Path.Combine(ExportFixtures.Repo, "data")}");
        Assert.Equal("nvfp4 needs every linear layer's input width to be a multiple of 16, but this model's hidden_size is 72; export it as fp8 or gguf instead.", e.Message);

        // A tokenizer splitting text with a regex llama.cpp does not have (GPT-2's, via ByteLevel's use_regex).
        var gpt2 = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(gpt2, "tokenizer.json")))!.AsObject();
        tokenizer["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        File.WriteAllText(Path.Combine(gpt2, "tokenizer.json"), tokenizer.ToJsonString());
        e = Refused($"model_name_or_path: {gpt2}\nexport_dir: {Target()}\nexport_format: gguf");
        Assert.EndsWith("splits text with a regex llama.cpp has no pre-tokenizer for (it knows Qwen2's and Llama-3's); a GGUF of this model would tokenize differently, so export it as hf, nvfp4 or fp8 instead.", e.Message);
        OneSentence(e.Message);
    }

    [Fact]
    public void A_folder_that_is_not_an_earlier_export_is_left_untouched()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var target = Target();
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");
        var e = Refused($"model_name_or_path: {model}\nexport_dir: {target}\nexport_format: gguf");
        Assert.Equal($"export_dir {target} already holds files that are not an earlier export (it has no pgx_export.json); choose another name or move them away.", e.Message);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
    }

    [Fact]
    public void An_earlier_export_is_replaced_only_by_a_complete_new_one()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var target = Target();
        var data = Path.Combine(ExportFixtures.Repo, "data");
        ExportRunner.Run(ExportSettings.Parse($"model_name_or_path: {model}\nexport_dir: {target}\nexport_format: gguf\nexport_quantization: f16", "first", []));
        Assert.True(File.Exists(Path.Combine(target, "out-F16.gguf")));

        // A second export that fails (its calibration data does not exist) leaves the first exactly as it was.
        var before = Directory.EnumerateFiles(target).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).ToList();
        var e = Refused($"model_name_or_path: {model}\nexport_dir: {target}\nexport_format: fp8\nexport_quantization_dataset: nowhere\ndataset_dir: {data}");
        Assert.StartsWith("export_quantization_dataset nowhere is neither a file nor a dataset of", e.Message);
        Assert.Equal(before, Directory.EnumerateFiles(target).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).ToList());

        // A complete one replaces it: the old GGUF is gone, the new manifest lists what is there now.
        var manifest = ExportRunner.Run(ExportSettings.Parse($"model_name_or_path: {model}\nexport_dir: {target}\nexport_format: gguf\nexport_quantization: q8_0", "second", []));
        Assert.False(File.Exists(Path.Combine(target, "out-F16.gguf")));
        Assert.True(File.Exists(Path.Combine(target, "out-Q8_0.gguf")));
        Assert.Equal("q8_0", Assert.Single(ExportManifest.Read(target)!.Outputs).Quantization);
        Assert.Equal(manifest.Outputs[0].Files, ExportManifest.Read(target)!.Outputs[0].Files);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetDirectoryName(target)!), d => Path.GetFileName(d).Contains("exporting"));
    }

    [Fact]
    public void Several_formats_go_to_their_own_folders_and_the_manifest_lists_their_files()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        var target = ExportFixtures.Export(model, "hf,gguf", "f16,q8_0");
        var manifest = ExportManifest.Read(target)!;
        Assert.Equal(["hf", "gguf-f16", "gguf-q8_0"], manifest.Outputs.Select(o => o.Folder));
        foreach (var output in manifest.Outputs)
            foreach (var file in output.Files)
                Assert.Equal(file.Bytes, new FileInfo(Path.Combine(target, output.Folder, file.Name)).Length);
        Assert.Contains(manifest.Outputs[0].Files, f => f.Name == "model.safetensors");
    }
}

public class ExportExampleTests
{
    [Fact]
    public void The_serving_example_asks_for_two_gguf_types_nvfp4_and_fp8_calibrated_on_identity()
    {
        var settings = ExportSettings.Load(Path.Combine(ExportFixtures.Repo, "examples", "export", "pgx_demo_serving.yaml"), []);
        Assert.Equal(["gguf-q8_0", "gguf-q4_k_m", "nvfp4", "fp8"], settings.Outputs.Select(o => o.Folder));
        Assert.Equal(("identity", 128, 1024, "qwen3_nothink"), (settings.QuantizationDataset, settings.QuantizationSamples, settings.QuantizationMaxLength, settings.Template));
        Assert.Equal(("saves/pgx-demo-tiny/lora/sft", "pgx-demo-tiny-serving"), (settings.AdapterNameOrPath, settings.Name));
    }
}
