using System.Text;

namespace PgxStudio.Engine.Training;

/// <summary>
/// Writes arguments as LLaMA-Factory YAML (the Train page's preview and `training_args.yaml` in a run's folder):
/// the keys that differ from the defaults plus the ones a reader always wants to see, grouped as LLaMA-Factory's
/// example files are.
/// </summary>
public static class TrainingArgumentsYaml
{
    static readonly (string Section, string[] Keys)[] Sections =
    [
        ("model", ["model_name_or_path", "adapter_name_or_path", "trust_remote_code", "quantization_bit", "quantization_method",
            "quantization_type", "double_quantization"]),
        ("method", ["stage", "do_train", "do_eval", "do_predict", "finetuning_type", "lora_rank", "lora_alpha", "lora_dropout",
            "lora_target", "freeze_trainable_layers", "freeze_trainable_modules", "freeze_extra_modules"]),
        ("dataset", ["dataset", "eval_dataset", "dataset_dir", "template", "enable_thinking", "cutoff_len", "max_samples", "val_size", "packing",
            "train_on_prompt", "mask_history", "overwrite_cache", "preprocessing_num_workers", "dataloader_num_workers"]),
        ("output", ["output_dir", "logging_steps", "save_steps", "save_total_limit", "plot_loss", "overwrite_output_dir", "save_only_model", "report_to"]),
        ("train", ["per_device_train_batch_size", "gradient_accumulation_steps", "learning_rate", "num_train_epochs", "max_steps",
            "lr_scheduler_type", "warmup_ratio", "warmup_steps", "max_grad_norm", "weight_decay", "adam_beta1", "adam_beta2",
            "adam_epsilon", "seed", "bf16", "fp16", "disable_gradient_checkpointing", "resume_from_checkpoint", "ddp_timeout"]),
        ("eval", ["per_device_eval_batch_size", "eval_strategy", "eval_steps"]),
        ("predict", ["predict_with_generate", "do_sample", "temperature", "top_p", "top_k", "num_beams", "max_new_tokens",
            "repetition_penalty"]),
    ];

    static readonly HashSet<string> AlwaysWritten =
    [
        "model_name_or_path", "stage", "do_train", "finetuning_type", "lora_rank", "lora_target", "dataset", "template",
        "cutoff_len", "output_dir", "logging_steps", "save_steps", "per_device_train_batch_size",
        "gradient_accumulation_steps", "learning_rate", "num_train_epochs", "lr_scheduler_type",
    ];

    public static string ToYaml(TrainingArguments args, bool includeDefaults = false)
    {
        var defaults = new TrainingArguments();
        var sb = new StringBuilder();
        var written = new HashSet<string>();
        foreach (var (section, keys) in Sections)
        {
            var lines = new List<string>();
            foreach (var name in keys)
            {
                written.Add(name);
                var key = TrainingConfigKeys.Find(name) ?? throw new InvalidOperationException($"No key {name}.");
                var value = key.Get(args);
                bool differs = !Equals(value, key.Get(defaults));
                if (value is null && !includeDefaults) continue;
                if (includeDefaults || differs || AlwaysWritten.Contains(name))
                    lines.Add($"{name}: {TrainingConfigKeys.Format(value)}");
            }
            if (lines.Count == 0) continue;
            if (sb.Length > 0) sb.Append('\n');
            sb.Append("### ").Append(section).Append('\n');
            foreach (var l in lines) sb.Append(l).Append('\n');
        }
        var missing = TrainingConfigKeys.All.Select(k => k.Name).Where(n => !written.Contains(n)).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException($"TrainingArgumentsYaml has no section for: {string.Join(", ", missing)}.");
        return sb.ToString();
    }

    public static void Write(TrainingArguments args, string path) => File.WriteAllText(path, ToYaml(args));
}
