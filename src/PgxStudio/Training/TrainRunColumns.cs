using PgxStudio.Engine.Training;
using PgxStudio.Persistence;

namespace PgxStudio.Training;

/// <summary>
/// The Runs list's Model, Method and Datasets columns for a train run, read from its config when it is queued.
/// A config that cannot be read leaves them empty: the worker reports the problem, the list just has less to show.
/// </summary>
public static class TrainRunColumns
{
    public static void Fill(Run run)
    {
        if (run.Kind != RunKind.Train) return;
        TrainingArguments args;
        try { args = TrainConfigReader.Read(run.Config, "the run's config"); }
        catch (TrainingConfigException) { return; }
        run.Model = args.ModelNameOrPath;
        run.Method = args.FinetuningType;
        run.Datasets = args.DatasetNames.Count == 0 ? null : string.Join(",", args.DatasetNames);
    }
}
