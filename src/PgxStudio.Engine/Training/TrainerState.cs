using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PgxStudio.Engine.Training;

/// <summary>
/// Hugging Face's trainer_state.json (in the run folder and every checkpoint): progress, the log history the loss
/// plot is drawn from, and the numbers a resumed run continues with. Written with sorted keys and indent 2 as HF does.
/// </summary>
public sealed class TrainerState
{
    public const string FileName = "trainer_state.json";

    [JsonPropertyName("best_global_step")] public int? BestGlobalStep { get; set; }
    [JsonPropertyName("best_metric")] public double? BestMetric { get; set; }
    [JsonPropertyName("best_model_checkpoint")] public string? BestModelCheckpoint { get; set; }
    [JsonPropertyName("epoch")] public double Epoch { get; set; }
    [JsonPropertyName("eval_steps")] public int EvalSteps { get; set; }
    [JsonPropertyName("global_step")] public int GlobalStep { get; set; }
    [JsonPropertyName("is_hyper_param_search")] public bool IsHyperParamSearch { get; set; }
    [JsonPropertyName("is_local_process_zero")] public bool IsLocalProcessZero { get; set; } = true;
    [JsonPropertyName("is_world_process_zero")] public bool IsWorldProcessZero { get; set; } = true;
    /// <summary>One object per logging event: {"epoch","grad_norm","learning_rate","loss","step"} or eval/summary keys.</summary>
    [JsonPropertyName("log_history")] public List<SortedDictionary<string, double>> LogHistory { get; set; } = [];
    [JsonPropertyName("logging_steps")] public int LoggingSteps { get; set; }
    [JsonPropertyName("max_steps")] public int MaxSteps { get; set; }
    [JsonPropertyName("num_input_tokens_seen")] public long NumInputTokensSeen { get; set; }
    [JsonPropertyName("num_train_epochs")] public int NumTrainEpochs { get; set; }
    [JsonPropertyName("save_steps")] public int SaveSteps { get; set; }
    [JsonPropertyName("stateful_callbacks")] public JsonObject StatefulCallbacks { get; set; } = [];
    [JsonPropertyName("total_flos")] public double TotalFlos { get; set; }
    [JsonPropertyName("train_batch_size")] public int TrainBatchSize { get; set; }
    [JsonPropertyName("trial_name")] public string? TrialName { get; set; }
    [JsonPropertyName("trial_params")] public JsonObject? TrialParams { get; set; }

    public static TrainerState Start(TrainingArguments args, TrainingPlan plan) => new()
    {
        EvalSteps = args.EffectiveEvalSteps,
        LoggingSteps = args.LoggingSteps,
        SaveSteps = args.SaveSteps,
        MaxSteps = plan.TotalSteps,
        NumTrainEpochs = plan.Epochs,
        TrainBatchSize = args.PerDeviceTrainBatchSize,
    };

    /// <summary>Records a training log event as HF does (loss rounded to 4 places, epoch, learning rate, step).</summary>
    public void LogTraining(int step, double epoch, double loss, double learningRate, double? gradNorm = null)
    {
        var e = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["epoch"] = epoch, ["learning_rate"] = learningRate, ["loss"] = Math.Round(loss, 4), ["step"] = step,
        };
        if (gradNorm is { } g) e["grad_norm"] = g;
        LogHistory.Add(e);
    }

    public void LogEvaluation(int step, double epoch, double evalLoss)
    {
        LogHistory.Add(new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["epoch"] = epoch, ["eval_loss"] = evalLoss, ["step"] = step,
        });
    }

    /// <summary>The (step, loss) pairs of the training log events, what the loss plot draws.</summary>
    public IReadOnlyList<(int Step, double Loss)> LossHistory(string key = "loss") => LogHistory
        .Where(e => e.ContainsKey(key) && e.ContainsKey("step"))
        .Select(e => ((int)e["step"], e[key]))
        .ToArray();

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true, IndentSize = 2 };

    public string ToJson() => JsonSerializer.Serialize(this, Options) + "\n";

    public void Save(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), ToJson());

    public static TrainerState Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid trainer_state.json ({e.Message}).");
        }
    }
}
