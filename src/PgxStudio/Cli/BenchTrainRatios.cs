using System.Text.Json.Nodes;

namespace PgxStudio.Cli;

/// <summary>
/// The ratios `pgx bench train` is judged by, from the rows of one run: the lowest QLoRA peak against the engine
/// before checkpointing and chunking, bf16 LoRA tokens/s against fp32 LoRA with the same checkpointing, and the
/// lowest tokens/s ratio to the PyTorch peer. A ratio whose rows are missing is left out.
/// </summary>
public static class BenchTrainRatios
{
    public static JsonObject Of(JsonArray rows)
    {
        var list = rows.Select(r => r!.AsObject()).ToList();
        var ratios = new JsonObject();
        var before = list.FirstOrDefault(r => (string)r["loss"]! == "whole logits");
        var qlora = list.Where(r => ((string)r["method"]!).StartsWith("qlora")).MinBy(r => (long)r["peak_memory_bytes"]!);
        if (before is not null && qlora is not null)
            ratios["qlora_peak_over_before"] = Math.Round((double)(long)qlora["peak_memory_bytes"]! / (long)before["peak_memory_bytes"]!, 3);
        foreach (var bf16 in list.Where(r => (string)r["method"]! == "lora" && (string)r["dtype"]! == "bfloat16"))
        {
            var fp32 = list.FirstOrDefault(r => (string)r["method"]! == "lora" && (string)r["dtype"]! == "float32"
                && (bool)r["checkpointing"]! == (bool)bf16["checkpointing"]! && (string)r["loss"]! == "chunked");
            if (fp32 is not null)
                ratios[$"lora_bf16_speedup_checkpointing_{((bool)bf16["checkpointing"]! ? "on" : "off")}"] =
                    Math.Round((double)bf16["tokens_per_second"]! / (double)fp32["tokens_per_second"]!, 3);
        }
        var peers = list.Where(r => r["ratio_to_pytorch"] is not null).Select(r => (double)r["ratio_to_pytorch"]!).ToList();
        if (peers.Count > 0) ratios["lowest_ratio_to_pytorch"] = peers.Min();
        var plans = list.Where(r => r["plan_error"] is not null).Select(r => Math.Abs((double)r["plan_error"]!)).ToList();
        if (plans.Count > 0) ratios["largest_plan_error"] = plans.Max();
        return ratios;
    }
}
