using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Quantization;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// A base model with its adapters, ready to generate (chat, serve, predict): adapters merged in order into a plain
/// base, or, on a base loaded quantized (quantization_bit, as QLoRA trained it), the one adapter kept live beside
/// the quantized weights, since nothing can be merged into 4-bit codes.
/// </summary>
public static class InferenceModel
{
    /// <param name="dtype">The compute dtype; the model's default (<see cref="CausalLM.DefaultDtype"/>) when null.</param>
    public static CausalLM Load(string modelDirectory, IReadOnlyList<string> adapters, QuantizationSettings? quantization = null,
        TorchSharp.torch.ScalarType? dtype = null)
    {
        if (quantization is not null && adapters.Count > 1)
            throw new ModelFileException($"A base loaded with quantization_bit takes one adapter, not {adapters.Count}; merge the others into the base first (pgx export), or load it unquantized.");
        var chosen = dtype ?? CausalLM.DefaultDtype(ModelConfig.Load(modelDirectory), Native.TorchRuntime.Info.Device);
        var model = CausalLM.Load(modelDirectory, _ => new WeightStorage(chosen, Quantization: quantization));
        try
        {
            foreach (var adapter in adapters) LoraAdapter.Apply(model, adapter, merge: quantization is null);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }
}
