using System.Globalization;
using PgxStudio.Engine.Training;
using PgxStudio.Training;

namespace PgxStudio.Evaluation;

/// <summary>
/// The Evaluate page's form, with LlamaBoard's Evaluate &amp; Predict defaults. It becomes the LLaMA-Factory predict
/// YAML that `pgx predict` (or `llamafactory-cli train` with do_predict) reads.
/// </summary>
public sealed class EvaluateForm
{
    public string Name { get; set; } = $"eval_{DateTime.Now:yyyy-MM-dd-HH-mm-ss}";
    public string ModelPath { get; set; } = "";
    public IReadOnlyCollection<string> Adapters { get; set; } = [];
    public IReadOnlyCollection<string> Datasets { get; set; } = [];
    public string Template { get; set; } = TrainForm.AutoTemplate;
    /// <summary>LLaMA-Factory's enable_thinking: off, a reasoning model's prompts close an empty thought.</summary>
    public bool EnableThinking { get; set; } = true;
    public int MaxSamples { get; set; } = 100_000;
    public int CutoffLen { get; set; } = 1024;
    public int BatchSize { get; set; } = 2;
    public int MaxNewTokens { get; set; } = 512;
    public double Temperature { get; set; } = 0.95;
    public double TopP { get; set; } = 0.7;
    public bool DoSample { get; set; } = true;

    /// <summary>The run's folder, LlamaBoard's layout: saves/MODEL/eval/NAME (or saves/MODEL/lora/eval_… with adapters).</summary>
    public string OutputDir(string savesRelative) =>
        $"{savesRelative}/{Runs.ModelFolderName.Of(ModelPath)}/{(Adapters.Count > 0 ? "lora" : "base")}/{Name.Trim()}";

    public string Yaml(string savesRelative)
    {
        var lines = new List<string> { "### model", Line("model_name_or_path", ModelPath.Trim()) };
        if (Adapters.Count > 0)
        {
            lines.Add(Line("adapter_name_or_path", string.Join(",", Adapters)));
            lines.Add("finetuning_type: lora");
        }
        lines.AddRange([
            "", "### method", "stage: sft", "do_predict: true",
            "", "### dataset", Line("eval_dataset", string.Join(",", Datasets)),
        ]);
        if (Template != TrainForm.AutoTemplate) lines.Add(Line("template", Template));
        if (!EnableThinking) lines.Add(Line("enable_thinking", false));
        lines.AddRange([
            Line("cutoff_len", CutoffLen), Line("max_samples", MaxSamples),
            "", "### output", Line("output_dir", OutputDir(savesRelative)), "overwrite_output_dir: true",
            "", "### eval", Line("per_device_eval_batch_size", BatchSize), "predict_with_generate: true",
            Line("max_new_tokens", MaxNewTokens), Line("temperature", Temperature), Line("top_p", TopP), Line("do_sample", DoSample),
        ]);
        return string.Join('\n', lines) + "\n";
    }

    static string Line(string key, object value) => $"{key}: {TrainingConfigKeys.Format(value)}";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({ModelPath})");
}
