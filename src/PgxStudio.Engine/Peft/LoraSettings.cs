namespace PgxStudio.Engine.Peft;

/// <summary>LoRA hyper-parameters in LLaMA-Factory's terms (lora_rank, lora_alpha, lora_dropout, lora_target).</summary>
public sealed record LoraSettings(int Rank, double Alpha, double Dropout, IReadOnlyList<string> Targets)
{
    /// <summary>Every linear layer but lm_head, as LLaMA-Factory's `lora_target: all` resolves for these models.</summary>
    public static readonly IReadOnlyList<string> AllLinear = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>`all` or a comma list such as `q_proj,v_proj`.</summary>
    public static IReadOnlyList<string> ParseTargets(string value) =>
        value.Trim() is "all" or "" ? AllLinear : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
