using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Peft;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Export;

/// <summary>
/// Merges LoRA adapters into their base model and writes a Hugging Face folder (sharded safetensors with an index,
/// config.json, tokenizer and generation files) that transformers, vLLM and TensorRT-LLM load as a plain model.
/// </summary>
public static class ModelExporter
{
    static readonly string[] CopiedFiles = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"];

    public static IReadOnlyList<string> Export(ExportSettings settings)
    {
        if (Path.GetFullPath(settings.ExportDir) == Path.GetFullPath(settings.ModelNameOrPath))
            throw new ArgumentException("export_dir is the model folder itself; export into a new folder.");
        Native.TorchRuntime.Initialize();
        var config = ModelConfig.Load(settings.ModelNameOrPath);
        // Merge in fp32, then store in the checkpoint's own dtype.
        using var model = CausalLM.Load(settings.ModelNameOrPath, ScalarType.Float32, CPU);
        if (settings.AdapterNameOrPath is { } adapter)
            foreach (var one in adapter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                LoraAdapter.Apply(model, one, merge: true);
        var dtype = config.TorchDtype switch { "bfloat16" => ScalarType.BFloat16, "float16" => ScalarType.Float16, _ => ScalarType.Float32 };
        Directory.CreateDirectory(settings.ExportDir);
        var tensors = model.StateTensors().Select(t => (t.Name, t.Tensor.to(dtype))).ToList();
        try
        {
            var files = SafetensorsWriter.WriteSharded(settings.ExportDir, tensors, (long)settings.ExportSizeGigabytes * 1024 * 1024 * 1024);
            foreach (var file in CopiedFiles)
                if (File.Exists(Path.Combine(settings.ModelNameOrPath, file)))
                    File.Copy(Path.Combine(settings.ModelNameOrPath, file), Path.Combine(settings.ExportDir, file), overwrite: true);
            return files;
        }
        finally
        {
            foreach (var (_, t) in tensors) t.Dispose();
        }
    }
}
