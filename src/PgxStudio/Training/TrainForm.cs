using PgxStudio.Engine.Training;

namespace PgxStudio.Training;

/// <summary>Which floating-point type training computes in (LlamaBoard's "compute type").</summary>
public enum ComputeType { Bf16, Fp16, Fp32 }

/// <summary>
/// What the Train page edits: LlamaBoard's controls with LlamaBoard's defaults. Settings the form has no control
/// for (weight decay, warmup ratio, …) ride along unchanged from the config it was filled from, so a cloned run
/// or a loaded preset keeps them.
/// </summary>
public sealed class TrainForm
{
    /// <summary>The "auto" template: the engine picks it from the model's tokenizer and architecture.</summary>
    public const string AutoTemplate = "auto";

    TrainingArguments _rest = new();

    public string ModelPath { get; set; } = "";
    public string Method { get; set; } = "lora";
    /// <summary>A finished run's folder to start from (its adapter for LoRA, its weights for freeze/full); empty for none.</summary>
    public string StartFrom { get; set; } = "";
    public string Template { get; set; } = AutoTemplate;
    /// <summary>LLaMA-Factory's enable_thinking, on by default as in LlamaBoard; only reasoning templates use it.</summary>
    public bool EnableThinking { get; set; } = true;
    public string Stage { get; set; } = "sft";
    public IReadOnlyList<string> Datasets { get; set; } = [];
    public double LearningRate { get; set; } = 5e-5;
    public double Epochs { get; set; } = 3.0;
    public int? MaxSamples { get; set; } = 100000;
    public ComputeType ComputeType { get; set; } = ComputeType.Bf16;
    /// <summary>QLoRA: 4 or 8 bits for the frozen base; null for none (LlamaBoard's "Quantization bit").</summary>
    public int? QuantizationBit { get; set; }
    public string QuantizationMethod { get; set; } = "bnb";
    public string QuantizationType { get; set; } = "nf4";
    public bool DoubleQuantization { get; set; } = true;
    /// <summary>On by default, as in LLaMA-Factory; off trades memory for about a third more speed.</summary>
    public bool GradientCheckpointing { get; set; } = true;
    public int CutoffLength { get; set; } = 2048;
    public int BatchSize { get; set; } = 2;
    public int GradientAccumulation { get; set; } = 8;
    public double ValSize { get; set; }
    public string LrScheduler { get; set; } = "cosine";
    public int LoggingSteps { get; set; } = 5;
    public int SaveSteps { get; set; } = 100;
    public int WarmupSteps { get; set; }
    public int LoraRank { get; set; } = 8;
    public double LoraAlpha { get; set; } = 16;
    public double LoraDropout { get; set; }
    public string LoraTarget { get; set; } = "all";
    public int FreezeTrainableLayers { get; set; } = 2;
    public string FreezeTrainableModules { get; set; } = "all";
    public string FreezeExtraModules { get; set; } = "";
    public int Seed { get; set; } = 42;
    /// <summary>The run's folder name; it lands in saves/&lt;model&gt;/&lt;method&gt;/&lt;name&gt; as in LlamaBoard.</summary>
    public string OutputName { get; set; } = DefaultOutputName(DateTime.Now);

    /// <summary>LlamaBoard's default output folder name: the time the form was opened.</summary>
    public static string DefaultOutputName(DateTime now) => $"train_{now:yyyy-MM-dd-HH-mm-ss}";

    /// <summary>The model's folder name, the first level of LlamaBoard's saves/&lt;model&gt;/&lt;method&gt;/&lt;run&gt;.</summary>
    public string ModelName => Runs.ModelFolderName.Of(ModelPath);

    /// <summary>Where the run writes, relative to the content root.</summary>
    public string OutputDir(string savesRelative) => Path.Combine(savesRelative, ModelName, Method, OutputName.Trim()).Replace('\\', '/');

    /// <summary>The LLaMA-Factory arguments this form stands for.</summary>
    public TrainingArguments ToArguments(string savesRelative = "saves")
    {
        var a = _rest.Clone();
        bool lora = Method == "lora";
        bool start = !string.IsNullOrWhiteSpace(StartFrom);
        // LlamaBoard's rule: a LoRA run starts from an adapter; freeze and full runs from the saved weights.
        a.ModelNameOrPath = start && !lora ? StartFrom.Trim() : Blank(ModelPath);
        a.AdapterNameOrPath = start && lora ? StartFrom.Trim() : null;
        a.FinetuningType = Method;
        a.Stage = Stage;
        a.DoTrain = true;
        a.Template = Template == AutoTemplate ? null : Blank(Template);
        a.EnableThinking = EnableThinking;
        a.Dataset = Datasets.Count == 0 ? null : string.Join(",", Datasets);
        a.LearningRate = LearningRate;
        a.NumTrainEpochs = Epochs;
        a.MaxSamples = MaxSamples;
        a.Bf16 = ComputeType == ComputeType.Bf16;
        a.Fp16 = ComputeType == ComputeType.Fp16;
        a.QuantizationBit = QuantizationBit;
        a.QuantizationMethod = QuantizationMethod;
        a.QuantizationType = QuantizationType;
        a.DoubleQuantization = DoubleQuantization;
        a.DisableGradientCheckpointing = !GradientCheckpointing;
        a.CutoffLen = CutoffLength;
        a.PerDeviceTrainBatchSize = BatchSize;
        a.GradientAccumulationSteps = GradientAccumulation;
        a.ValSize = ValSize;
        a.LrSchedulerType = LrScheduler;
        a.LoggingSteps = LoggingSteps;
        a.SaveSteps = SaveSteps;
        a.WarmupSteps = WarmupSteps;
        a.Seed = Seed;
        a.PlotLoss = true; // LlamaBoard's runner always asks for training_loss.png
        if (lora)
        {
            a.LoraRank = LoraRank;
            a.LoraAlpha = LoraAlpha;
            a.LoraDropout = LoraDropout;
            a.LoraTarget = LoraTarget;
        }
        if (Method == "freeze")
        {
            a.FreezeTrainableLayers = FreezeTrainableLayers;
            a.FreezeTrainableModules = FreezeTrainableModules;
            a.FreezeExtraModules = string.IsNullOrWhiteSpace(FreezeExtraModules) ? null : FreezeExtraModules;
        }
        a.OutputDir = string.IsNullOrWhiteSpace(OutputName) ? null : OutputDir(savesRelative);
        return a;
    }

    /// <summary>
    /// A form filled from a config (a past run's, a preset). The output name is a fresh one: a clone is a new run.
    /// </summary>
    public static TrainForm FromArguments(TrainingArguments a, DateTime now)
    {
        var f = new TrainForm
        {
            _rest = a.Clone(),
            ModelPath = a.ModelNameOrPath ?? "",
            Method = a.FinetuningType,
            StartFrom = a.FinetuningType == "lora" ? a.AdapterNameOrPath ?? "" : "",
            Template = a.Template ?? AutoTemplate,
            EnableThinking = a.EnableThinking,
            Stage = a.Stage,
            Datasets = a.DatasetNames.ToList(),
            LearningRate = a.LearningRate,
            Epochs = a.NumTrainEpochs,
            MaxSamples = a.MaxSamples,
            ComputeType = a.Bf16 ? ComputeType.Bf16 : a.Fp16 ? ComputeType.Fp16 : ComputeType.Fp32,
            QuantizationBit = a.QuantizationBit,
            QuantizationMethod = a.QuantizationMethod,
            QuantizationType = a.QuantizationType,
            DoubleQuantization = a.DoubleQuantization,
            GradientCheckpointing = !a.DisableGradientCheckpointing,
            CutoffLength = a.CutoffLen,
            BatchSize = a.PerDeviceTrainBatchSize,
            GradientAccumulation = a.GradientAccumulationSteps,
            ValSize = a.ValSize,
            LrScheduler = a.LrSchedulerType,
            LoggingSteps = a.LoggingSteps,
            SaveSteps = a.SaveSteps,
            WarmupSteps = a.WarmupSteps,
            LoraRank = a.LoraRank,
            LoraAlpha = a.EffectiveLoraAlpha,
            LoraDropout = a.LoraDropout,
            LoraTarget = a.LoraTarget,
            FreezeTrainableLayers = a.FreezeTrainableLayers,
            FreezeTrainableModules = a.FreezeTrainableModules,
            FreezeExtraModules = a.FreezeExtraModules ?? "",
            Seed = a.Seed,
            OutputName = DefaultOutputName(now),
        };
        // The run's own folder and resume point belong to that run, not to the new one.
        f._rest.OutputDir = null;
        f._rest.ResumeFromCheckpoint = null;
        return f;
    }

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
