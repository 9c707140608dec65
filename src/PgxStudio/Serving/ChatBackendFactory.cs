namespace PgxStudio.Serving;

/// <summary>
/// What `pgx serve` was asked to load: a Hugging Face model folder, zero or more PEFT adapter folders (comma-separated
/// like LLaMA-Factory's adapter_name_or_path, applied in that order), optionally a template name, and LLaMA-Factory's
/// enable_thinking for a reasoning template (false: every prompt closes an empty thought, so the model answers at once).
/// </summary>
/// <param name="Quantization">Load the base quantized (quantization_bit), as a QLoRA run trained it.</param>
public sealed record ServeModelSpec(string ModelDirectory, string? AdapterDirectory, string? Template = null, bool EnableThinking = true,
    Engine.Quantization.QuantizationSettings? Quantization = null)
{
    public IReadOnlyList<string> Adapters { get; } =
        (AdapterDirectory ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>--max-num-seqs, --max-model-len, --max-num-batched-tokens.</summary>
    public Engine.Inference.BatchLimits Limits { get; init; } = new();

    /// <summary>--dtype: auto, float32 or bfloat16.</summary>
    public string? Dtype { get; init; }
}

/// <summary>A model that cannot be served, in one sentence (missing folder, unsupported family, no engine).</summary>
public sealed class ChatBackendException(string message) : Exception(message);

/// <summary>
/// THE seam between `pgx serve` and the inference engine: the one place that turns a model folder (+ adapter)
/// into an <see cref="IChatBackend"/> (the engine: <see cref="EngineChatBackend"/>). Tests may set <see cref="Load"/>
/// to a scripted backend.
/// </summary>
public static class ChatBackendFactory
{
    public static Func<ServeModelSpec, CancellationToken, Task<IChatBackend>> Load { get; set; } = (spec, _) =>
    {
        if (!Directory.Exists(spec.ModelDirectory))
            throw new ChatBackendException($"The model folder {spec.ModelDirectory} does not exist; pass a Hugging Face model folder to --model.");
        foreach (var adapter in spec.Adapters.Where(a => !Directory.Exists(a)))
            throw new ChatBackendException($"The adapter folder {adapter} does not exist; pass a PEFT adapter folder to --adapter or leave it out.");
        try
        {
            return Task.FromResult<IChatBackend>(new EngineChatBackend(spec));
        }
        catch (Exception e) when (e is Engine.Models.ModelFileException or Engine.Tokenization.TokenizerFileException or Engine.Native.TorchSetupException or ArgumentException)
        {
            throw new ChatBackendException(e.Message);
        }
    };
}
