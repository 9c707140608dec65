using PgxStudio.Engine.Training;
using PgxStudio.Persistence;

namespace PgxStudio.Training;

/// <summary>
/// The Runs list's Model, Method and Datasets columns, read from a run's LLaMA-Factory config when it is queued:
/// train runs, evaluations (their eval_dataset; "base" without an adapter), loaded chat models and exports.
/// A config that cannot be read leaves them empty: the worker reports the problem, the list just has less to show.
/// </summary>
public static class TrainRunColumns
{
    public static void Fill(Run run)
    {
        if (run.Kind is not (RunKind.Train or RunKind.Predict or RunKind.Serve or RunKind.Export)) return;
        TrainingArguments args;
        try { args = TrainingConfigLoader.ReadUnchecked(run.Config, "the run's config"); }
        catch (TrainingConfigException) { return; }
        run.Model = args.ModelNameOrPath;
        bool withAdapter = !string.IsNullOrWhiteSpace(args.AdapterNameOrPath);
        run.Method = run.Kind == RunKind.Train || withAdapter ? args.FinetuningType : "base";
        var datasets = run.Kind == RunKind.Predict ? args.EvalDatasetNames : args.DatasetNames;
        run.Datasets = datasets.Count == 0 ? null : string.Join(",", datasets);
    }
}
