using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Peft;

/// <summary>One LoRA matrix, registered so its key ends in `lora_A.weight` / `lora_B.weight` as in PEFT files.</summary>
public sealed class LoraMatrix : nn.Module
{
    public readonly Parameter weight;

    public LoraMatrix(Tensor value) : base("lora")
    {
        weight = new Parameter(value, requires_grad: true);
        RegisterComponents();
    }
}
