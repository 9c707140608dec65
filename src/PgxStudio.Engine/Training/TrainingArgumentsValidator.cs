namespace PgxStudio.Engine.Training;

/// <summary>Checks values a run cannot start with; each problem is one sentence naming the key and what to do.</summary>
public static class TrainingArgumentsValidator
{
    public static readonly string[] Stages = ["sft", "pt"];
    public static readonly string[] FinetuningTypes = ["lora", "freeze", "full"];

    public static IReadOnlyList<string> Validate(TrainingArguments a, ConfigPurpose purpose = ConfigPurpose.Train)
    {
        var p = new List<string>();
        void Check(bool ok, string message) { if (!ok) p.Add(message); }

        Check(!string.IsNullOrWhiteSpace(a.ModelNameOrPath), "model_name_or_path is missing: set it to a model folder.");
        Check(!string.IsNullOrWhiteSpace(a.OutputDir), "output_dir is missing: set the folder the run writes to.");
        Check(Stages.Contains(a.Stage), $"stage '{a.Stage}' is not supported: use sft or pt.");
        Check(FinetuningTypes.Contains(a.FinetuningType), $"finetuning_type '{a.FinetuningType}' is not supported: use lora, freeze or full.");
        if (a.QuantizationBit is not null)
        {
            try { TrainingPrecision.Quantization(a); }
            catch (ArgumentException e) { p.Add(e.Message); }
            if (purpose == ConfigPurpose.Train)
                Check(a.FinetuningType == "lora", $"quantization_bit trains a quantized base with LoRA only (QLoRA), not finetuning_type {a.FinetuningType}: use finetuning_type lora, or remove quantization_bit.");
        }
        Check(!(a.Bf16 && a.Fp16), "bf16 and fp16 are both true: choose one.");

        if (purpose == ConfigPurpose.Train)
        {
            Check(a.DatasetNames.Count > 0, "dataset is missing: name one or more datasets from dataset_info.json (comma separated).");
            Check(a.LearningRate > 0, $"learning_rate must be positive, got {a.LearningRate}.");
            Check(a.NumTrainEpochs > 0 || a.MaxSteps > 0, "num_train_epochs must be positive (or set max_steps).");
            Check(a.MaxSteps == -1 || a.MaxSteps > 0, "max_steps must be a positive number of steps, or -1 to use num_train_epochs.");
            Check(a.PerDeviceTrainBatchSize >= 1, "per_device_train_batch_size must be at least 1.");
            Check(a.GradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1.");
            Check(LearningRateSchedule.Types.Contains(a.LrSchedulerType),
                $"lr_scheduler_type '{a.LrSchedulerType}' is not supported: use {string.Join(", ", LearningRateSchedule.Types)}.");
            Check(a.WarmupRatio is >= 0 and <= 1, "warmup_ratio must be between 0 and 1.");
            Check(a.WarmupSteps >= 0, "warmup_steps must not be negative.");
            Check(a.MaxGradNorm >= 0, "max_grad_norm must not be negative (0 turns clipping off).");
            Check(a.WeightDecay >= 0, "weight_decay must not be negative.");
            Check(a.AdamBeta1 is >= 0 and < 1, "adam_beta1 must be in [0, 1).");
            Check(a.AdamBeta2 is >= 0 and < 1, "adam_beta2 must be in [0, 1).");
            Check(a.AdamEpsilon > 0, "adam_epsilon must be positive.");
            Check(a.LoggingSteps >= 1, "logging_steps must be at least 1.");
            Check(a.SaveSteps >= 1, "save_steps must be at least 1.");
            Check(a.EvalSteps is null or >= 1, "eval_steps must be at least 1.");
            Check(a.SaveTotalLimit is null or >= 1, "save_total_limit must be at least 1.");
            if (a.FinetuningType == "lora")
            {
                Check(a.LoraRank >= 1, $"lora_rank must be at least 1, got {a.LoraRank}.");
                Check(a.LoraAlpha is null or > 0, "lora_alpha must be positive (leave it out for twice the rank).");
                Check(a.LoraDropout is >= 0 and < 1, "lora_dropout must be in [0, 1).");
                Check(a.LoraTargets.Count > 0, "lora_target is empty: use all, or a comma list of module names such as q_proj,v_proj.");
            }
            if (a.FinetuningType == "freeze")
            {
                Check(a.FreezeTrainableLayers != 0, "freeze_trainable_layers is 0, so no layer would train: use N for the last N layers, or -N for the first N.");
                Check(a.FreezeModules.Count > 0, "freeze_trainable_modules is empty: use all, or a comma list of layer modules such as mlp,self_attn.");
            }
        }
        else
        {
            Check(a.EvalDatasetNames.Count > 0 || a.DatasetNames.Count > 0, "eval_dataset is missing: name the dataset to predict on.");
            Check(a.PredictWithGenerate, "predict_with_generate must be true: prediction saves generated text (LLaMA-Factory's rule).");
            Check(a.MaxNewTokens >= 1, "max_new_tokens must be at least 1.");
            Check(!a.DoSample || a.Temperature > 0, "temperature must be positive when do_sample is true.");
            Check(a.TopP is > 0 and <= 1, "top_p must be in (0, 1].");
            Check(a.TopK >= 0, "top_k must not be negative.");
            Check(a.NumBeams == 1, "num_beams other than 1 is not supported: use do_sample or greedy decoding.");
            Check(a.RepetitionPenalty > 0, "repetition_penalty must be positive.");
            Check(a.PerDeviceEvalBatchSize >= 1, "per_device_eval_batch_size must be at least 1.");
        }

        Check(a.CutoffLen >= 1, $"cutoff_len must be at least 1, got {a.CutoffLen}.");
        Check(a.MaxSamples is null or >= 1, "max_samples must be at least 1 (leave it out to use every sample).");
        Check(a.ValSize >= 0, "val_size must not be negative.");
        Check(a.ValSize < 1 || a.ValSize == Math.Floor(a.ValSize), "val_size of 1 or more is a number of samples and must be whole.");
        Check(a.DataloaderNumWorkers >= 0, "dataloader_num_workers must not be negative.");
        Check(!string.IsNullOrWhiteSpace(a.DatasetDir), "dataset_dir is empty: set the folder holding dataset_info.json.");
        return p;
    }
}
