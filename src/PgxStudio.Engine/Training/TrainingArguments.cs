namespace PgxStudio.Engine.Training;

/// <summary>
/// A run's settings under LLaMA-Factory's YAML keys (model, finetuning, data, Hugging Face trainer and generation
/// arguments in one object), so a config moves between this studio and LLaMA-Factory unchanged. Each property's key
/// is its name in snake_case (<see cref="TrainingConfigKeys"/>); defaults are LLaMA-Factory's and Hugging Face's.
/// Load with <see cref="TrainingConfigLoader"/>, check with <see cref="TrainingArgumentsValidator"/>, write with
/// <see cref="TrainingArgumentsYaml"/>.
/// </summary>
public sealed class TrainingArguments
{
    // Model
    public string? ModelNameOrPath { get; set; }
    public string? AdapterNameOrPath { get; set; }
    public bool TrustRemoteCode { get; set; }
    /// <summary>QLoRA: 4 or 8 bits for the frozen base (unset: no quantization).</summary>
    public int? QuantizationBit { get; set; }
    public string QuantizationMethod { get; set; } = "bnb";
    /// <summary>4-bit code book: nf4 (LLaMA-Factory's default) or fp4.</summary>
    public string QuantizationType { get; set; } = "nf4";
    /// <summary>Quantize the 4-bit absmax values too (bitsandbytes' nested quantization).</summary>
    public bool DoubleQuantization { get; set; } = true;
    /// <summary>Gradient checkpointing is on unless this is true, as in LLaMA-Factory.</summary>
    public bool DisableGradientCheckpointing { get; set; }

    // Method
    public string Stage { get; set; } = "sft";
    public bool DoTrain { get; set; }
    public bool DoEval { get; set; }
    public bool DoPredict { get; set; }
    public string FinetuningType { get; set; } = "lora";
    public string LoraTarget { get; set; } = "all";
    public int LoraRank { get; set; } = 8;
    /// <summary>Unset means twice the rank, as LLaMA-Factory does; read <see cref="EffectiveLoraAlpha"/>.</summary>
    public double? LoraAlpha { get; set; }
    public double LoraDropout { get; set; }
    /// <summary>Freeze: the last N layers train, or the first N when negative.</summary>
    public int FreezeTrainableLayers { get; set; } = 2;
    /// <summary>Freeze: the modules of those layers that train (all, or e.g. mlp,self_attn).</summary>
    public string FreezeTrainableModules { get; set; } = "all";
    /// <summary>Freeze: modules outside the layers that train too (e.g. embed_tokens,norm).</summary>
    public string? FreezeExtraModules { get; set; }

    // Data
    public string? Dataset { get; set; }
    public string? EvalDataset { get; set; }
    public string DatasetDir { get; set; } = "data";
    public string? Template { get; set; }
    /// <summary>Reasoning templates (qwen3): false trains and prompts without thoughts, closing an empty one in the prompt.</summary>
    public bool EnableThinking { get; set; } = true;
    public int CutoffLen { get; set; } = 2048;
    public int? MaxSamples { get; set; }
    /// <summary>Below 1 a fraction of the dataset, 1 or more a number of samples (LLaMA-Factory's rule).</summary>
    public double ValSize { get; set; }
    public bool? Packing { get; set; }
    public bool TrainOnPrompt { get; set; }
    public bool MaskHistory { get; set; }
    public bool OverwriteCache { get; set; }
    public int? PreprocessingNumWorkers { get; set; }
    public int DataloaderNumWorkers { get; set; }

    // Output
    public string? OutputDir { get; set; }
    public bool OverwriteOutputDir { get; set; }
    public int LoggingSteps { get; set; } = 5;
    public int SaveSteps { get; set; } = 500;
    public int? SaveTotalLimit { get; set; }
    public bool PlotLoss { get; set; }
    /// <summary>Checkpoints without optimizer, scheduler and RNG state (smaller, but not resumable).</summary>
    public bool SaveOnlyModel { get; set; }
    public string? ReportTo { get; set; }

    // Optimisation
    public int PerDeviceTrainBatchSize { get; set; } = 1;
    public int PerDeviceEvalBatchSize { get; set; } = 8;
    public int GradientAccumulationSteps { get; set; } = 1;
    public double LearningRate { get; set; } = 5e-5;
    public double NumTrainEpochs { get; set; } = 3.0;
    public int MaxSteps { get; set; } = -1;
    public string LrSchedulerType { get; set; } = "linear";
    public double WarmupRatio { get; set; }
    public int WarmupSteps { get; set; }
    public double MaxGradNorm { get; set; } = 1.0;
    public double WeightDecay { get; set; }
    public double AdamBeta1 { get; set; } = 0.9;
    public double AdamBeta2 { get; set; } = 0.999;
    public double AdamEpsilon { get; set; } = 1e-8;
    public int Seed { get; set; } = 42;
    public bool Bf16 { get; set; }
    public bool Fp16 { get; set; }
    public string? ResumeFromCheckpoint { get; set; }
    public int? DdpTimeout { get; set; }

    // Evaluation
    public string? EvalStrategy { get; set; }
    /// <summary>Unset means every <see cref="LoggingSteps"/>, as Hugging Face does.</summary>
    public int? EvalSteps { get; set; }

    // Prediction and generation
    public bool PredictWithGenerate { get; set; }
    public bool DoSample { get; set; } = true;
    public double Temperature { get; set; } = 0.95;
    public double TopP { get; set; } = 0.7;
    public int TopK { get; set; } = 50;
    public int NumBeams { get; set; } = 1;
    public int MaxNewTokens { get; set; } = 1024;
    public double RepetitionPenalty { get; set; } = 1.0;

    public double EffectiveLoraAlpha => LoraAlpha ?? LoraRank * 2;
    public int EffectiveEvalSteps => EvalSteps ?? LoggingSteps;

    /// <summary>Dataset names from the comma list, trimmed, empty entries dropped.</summary>
    public IReadOnlyList<string> DatasetNames => SplitList(Dataset);
    public IReadOnlyList<string> EvalDatasetNames => SplitList(EvalDataset);
    public IReadOnlyList<string> LoraTargets => SplitList(LoraTarget);
    public IReadOnlyList<string> FreezeModules => SplitList(FreezeTrainableModules);
    public IReadOnlyList<string> FreezeExtras => SplitList(FreezeExtraModules);
    /// <summary>adapter_name_or_path's folders, in the order they are applied.</summary>
    public IReadOnlyList<string> AdapterPaths => SplitList(AdapterNameOrPath);

    static IReadOnlyList<string> SplitList(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The chat template these arguments name for <paramref name="modelDirectory"/> (its own when none), with enable_thinking.</summary>
    public Templates.ChatTemplate ChatTemplate(string modelDirectory) =>
        Templates.ChatTemplates.ForModel(modelDirectory, Template, EnableThinking);

    public TrainingArguments Clone() => (TrainingArguments)MemberwiseClone();

    /// <summary>LLaMA-Factory YAML of these arguments (non-default keys plus the essentials, or every key).</summary>
    public string ToYaml(bool includeDefaults = false) => TrainingArgumentsYaml.ToYaml(this, includeDefaults);
}
