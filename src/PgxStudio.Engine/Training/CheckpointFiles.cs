using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>What the trainer puts in checkpoint-N besides the session's state files, and how it reads them back.</summary>
public static class CheckpointFiles
{
    public const string Optimizer = "optimizer.pt";

    /// <summary>Copies the checkpoint's trainable weights (PEFT adapter or full model) into the model in place.</summary>
    public static void Restore(CausalLM model, string checkpoint, bool lora)
    {
        var file = Path.Combine(checkpoint, lora ? "adapter_model.safetensors" : "model.safetensors");
        if (!File.Exists(file))
            throw new ModelFileException($"{checkpoint} has no {Path.GetFileName(file)}; it was not written by this trainer with this finetuning_type.");
        using var weights = new SafetensorsFile(file);
        const string peft = "base_model.model.";
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var key = lora ? peft + name : name;
            if (lora && !name.Contains(".lora_")) continue;
            if (!weights.Entries.ContainsKey(key))
                throw new ModelFileException($"{file} has no {key}; the checkpoint belongs to another model or method.");
            using var value = weights.Read(key);
            parameter.copy_(value);
        }
    }
}
