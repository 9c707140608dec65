namespace PgxStudio.Engine.Export;

/// <summary>A command that serves an exported output with one engine.</summary>
public sealed record ServeCommand(string Engine, string Command);

/// <summary>
/// The exact command each serving engine takes for an output: vLLM and TensorRT-LLM's trtllm-serve for Hugging Face
/// folders (vLLM told the ModelOpt quantization it also detects from config.json), llama.cpp's llama-server and
/// Ollama for GGUF.
/// </summary>
public static class ServeCommands
{
    public static IReadOnlyList<ServeCommand> For(ExportedOutput output, string outputFolder, string name)
    {
        var folder = Quote(Path.GetFullPath(outputFolder));
        switch (output.Format)
        {
            case "gguf":
                var gguf = output.Files.FirstOrDefault(f => f.Name.EndsWith(".gguf", StringComparison.Ordinal))?.Name ?? $"{name}.gguf";
                var tag = $"{name}:{output.Quantization}".ToLowerInvariant();
                return
                [
                    new("llama.cpp", $"llama-server -m {Quote(Path.Combine(Path.GetFullPath(outputFolder), gguf))} --port 8080"),
                    new("Ollama", $"cd {folder} && ollama create {tag} -f Modelfile && ollama run {tag}"),
                ];
            case "nvfp4":
                return [new("vLLM", $"vllm serve {folder} --quantization modelopt_fp4 --served-model-name {name}"), new("TensorRT-LLM", $"trtllm-serve {folder}")];
            case "fp8":
                return [new("vLLM", $"vllm serve {folder} --quantization modelopt --served-model-name {name}"), new("TensorRT-LLM", $"trtllm-serve {folder}")];
            default:
                return [new("vLLM", $"vllm serve {folder} --served-model-name {name}"), new("TensorRT-LLM", $"trtllm-serve {folder}")];
        }
    }

    static string Quote(string path) => path.Contains(' ') ? $"'{path}'" : path;
}
