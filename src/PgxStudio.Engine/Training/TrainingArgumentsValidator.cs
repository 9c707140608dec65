using PgxStudio.Engine.Sentences;

namespace PgxStudio.Engine.Training;

/// <summary>Checks values a run cannot start with; each problem is one sentence naming the key and what to do.</summary>
public static class TrainingArgumentsValidator
{
    public static readonly string[] Stages = ["sft", "pt"];
    public static readonly string[] FinetuningTypes = ["lora", "freeze", "full"];

    /// <summary>The problems in English, as the command line prints them.</summary>
    public static IReadOnlyList<string> Validate(TrainingArguments a, ConfigPurpose purpose = ConfigPurpose.Train) =>
        [.. Problems(a, purpose).Select(s => s.ToString())];

    /// <summary>The problems as sentences the studio shows in the reader's language.</summary>
    public static IReadOnlyList<Sentence> Problems(TrainingArguments a, ConfigPurpose purpose = ConfigPurpose.Train)
    {
        var p = new List<Sentence>();
        void Check(bool ok, Sentence problem) { if (!ok) p.Add(problem); }

        Check(!string.IsNullOrWhiteSpace(a.ModelNameOrPath), new Sentence("model_name_or_path is missing: set it to a model folder."));
        Check(!string.IsNullOrWhiteSpace(a.OutputDir), new Sentence("output_dir is missing: set the folder the run writes to."));
        Check(Stages.Contains(a.Stage), new Sentence("stage '{0}' is not supported: use sft or pt.", a.Stage));
        Check(FinetuningTypes.Contains(a.FinetuningType), new Sentence("finetuning_type '{0}' is not supported: use lora, freeze or full.", a.FinetuningType));
        if (a.QuantizationBit is not null)
        {
            try { TrainingPrecision.Quantization(a); }
            catch (SentenceException e) { p.Add(e.Sentence); }
            if (purpose == ConfigPurpose.Train)
                Check(a.FinetuningType == "lora", new Sentence("quantization_bit trains a quantized base with LoRA only (QLoRA), not finetuning_type {0}: use finetuning_type lora, or remove quantization_bit.", a.FinetuningType));
        }
        Check(!(a.Bf16 && a.Fp16), new Sentence("bf16 and fp16 are both true: choose one."));

        if (purpose == ConfigPurpose.Train)
        {
            Check(a.DatasetNames.Count > 0, new Sentence("dataset is missing: name one or more datasets from dataset_info.json (comma separated)."));
            Check(a.LearningRate > 0, new Sentence("learning_rate must be positive, got {0}.", a.LearningRate));
            Check(a.NumTrainEpochs > 0 || a.MaxSteps > 0, new Sentence("num_train_epochs must be positive (or set max_steps)."));
            Check(a.MaxSteps == -1 || a.MaxSteps > 0, new Sentence("max_steps must be a positive number of steps, or -1 to use num_train_epochs."));
            Check(a.PerDeviceTrainBatchSize >= 1, new Sentence("per_device_train_batch_size must be at least 1."));
            Check(a.GradientAccumulationSteps >= 1, new Sentence("gradient_accumulation_steps must be at least 1."));
            Check(LearningRateSchedule.Types.Contains(a.LrSchedulerType),
                new Sentence("lr_scheduler_type '{0}' is not supported: use {1}.", a.LrSchedulerType, string.Join(", ", LearningRateSchedule.Types)));
            Check(a.WarmupRatio is >= 0 and <= 1, new Sentence("warmup_ratio must be between 0 and 1."));
            Check(a.WarmupSteps >= 0, new Sentence("warmup_steps must not be negative."));
            Check(a.MaxGradNorm >= 0, new Sentence("max_grad_norm must not be negative (0 turns clipping off)."));
            Check(a.WeightDecay >= 0, new Sentence("weight_decay must not be negative."));
            Check(a.AdamBeta1 is >= 0 and < 1, new Sentence("adam_beta1 must be in [0, 1)."));
            Check(a.AdamBeta2 is >= 0 and < 1, new Sentence("adam_beta2 must be in [0, 1)."));
            Check(a.AdamEpsilon > 0, new Sentence("adam_epsilon must be positive."));
            Check(a.LoggingSteps >= 1, new Sentence("logging_steps must be at least 1."));
            Check(a.SaveSteps >= 1, new Sentence("save_steps must be at least 1."));
            Check(a.EvalSteps is null or >= 1, new Sentence("eval_steps must be at least 1."));
            Check(a.SaveTotalLimit is null or >= 1, new Sentence("save_total_limit must be at least 1."));
            if (a.FinetuningType == "lora")
            {
                Check(a.LoraRank >= 1, new Sentence("lora_rank must be at least 1, got {0}.", a.LoraRank));
                Check(a.LoraAlpha is null or > 0, new Sentence("lora_alpha must be positive (leave it out for twice the rank)."));
                Check(a.LoraDropout is >= 0 and < 1, new Sentence("lora_dropout must be in [0, 1)."));
                Check(a.LoraTargets.Count > 0, new Sentence("lora_target is empty: use all, or a comma list of module names such as q_proj,v_proj."));
            }
            if (a.FinetuningType == "freeze")
            {
                Check(a.FreezeTrainableLayers != 0, new Sentence("freeze_trainable_layers is 0, so no layer would train: use N for the last N layers, or -N for the first N."));
                Check(a.FreezeModules.Count > 0, new Sentence("freeze_trainable_modules is empty: use all, or a comma list of layer modules such as mlp,self_attn."));
            }
        }
        else
        {
            Check(a.EvalDatasetNames.Count > 0 || a.DatasetNames.Count > 0, new Sentence("eval_dataset is missing: name the dataset to predict on."));
            Check(a.PredictWithGenerate, new Sentence("predict_with_generate must be true: prediction saves generated text (LLaMA-Factory's rule)."));
            Check(a.MaxNewTokens >= 1, new Sentence("max_new_tokens must be at least 1."));
            Check(!a.DoSample || a.Temperature > 0, new Sentence("temperature must be positive when do_sample is true."));
            Check(a.TopP is > 0 and <= 1, new Sentence("top_p must be in (0, 1]."));
            Check(a.TopK >= 0, new Sentence("top_k must not be negative."));
            Check(a.NumBeams == 1, new Sentence("num_beams other than 1 is not supported: use do_sample or greedy decoding."));
            Check(a.RepetitionPenalty > 0, new Sentence("repetition_penalty must be positive."));
            Check(a.PerDeviceEvalBatchSize >= 1, new Sentence("per_device_eval_batch_size must be at least 1."));
        }

        Check(a.CutoffLen >= 1, new Sentence("cutoff_len must be at least 1, got {0}.", a.CutoffLen));
        Check(a.MaxSamples is null or >= 1, new Sentence("max_samples must be at least 1 (leave it out to use every sample)."));
        Check(a.ValSize >= 0, new Sentence("val_size must not be negative."));
        Check(a.ValSize < 1 || a.ValSize == Math.Floor(a.ValSize), new Sentence("val_size of 1 or more is a number of samples and must be whole."));
        Check(a.DataloaderNumWorkers >= 0, new Sentence("dataloader_num_workers must not be negative."));
        Check(!string.IsNullOrWhiteSpace(a.DatasetDir), new Sentence("dataset_dir is empty: set the folder holding dataset_info.json."));
        return p;
    }
}
