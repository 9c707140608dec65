using PgxStudio.Engine.Training;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Training;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Evaluation;

/// <summary>Checks the Evaluate form with the CLI's rules and queues it as a predict run on the GPU queue.</summary>
public sealed class EvaluationLauncher(RunService runs, TrainChoices choices, StudioPaths paths)
{
    public const string ModelField = "model_name_or_path", DatasetField = "eval_dataset", NameField = "name", OtherField = "";

    public FormProblems Check(EvaluateForm form)
    {
        var problems = new Dictionary<string, Sentence>();
        if (string.IsNullOrWhiteSpace(form.ModelPath))
            problems[ModelField] = new Sentence("Choose a model to evaluate.");
        else if (paths.MissingModelFolder(form.ModelPath) is { } missing)
            problems[ModelField] = Sentence.Text(missing);
        var (known, registryProblem) = choices.Datasets();
        if (form.Datasets.Count == 0)
            problems[DatasetField] = new Sentence("Choose at least one dataset to evaluate on.");
        else if (registryProblem is not null)
            problems[DatasetField] = Sentence.Text(registryProblem);
        else if (form.Datasets.FirstOrDefault(d => !known.Contains(d)) is { } unknown)
            problems[DatasetField] = new Sentence("Dataset {0} is not in data/dataset_info.json; register it on the Datasets page first.", unknown);
        if (SafeName.Problem(form.Name, new Sentence("evaluation name")) is { } nameProblem) problems[NameField] = nameProblem; // it becomes its folder
        if (problems.Count == 0)
        {
            // The same rules `pgx predict` applies, on the very YAML the run will get.
            const string source = "the form";
            try { TrainingConfigLoader.Parse(form.Yaml(choices.SavesRelative), source, null, ConfigPurpose.Predict); }
            catch (TrainingConfigException e)
            {
                // Each sentence at the field it names (where "the form: " says nothing); the first wins a shared field.
                foreach (var problem in e.Problems.DefaultIfEmpty(e.Message))
                    problems.TryAdd(FieldOf(problem), Sentence.Text(problem.StartsWith(source + ": ", StringComparison.Ordinal) ? problem[(source.Length + 2)..] : problem));
            }
        }
        return new FormProblems(problems);
    }

    /// <summary>Queues the evaluation; throws <see cref="RunRequestException"/> with the first problem.</summary>
    public async Task<Run> StartAsync(EvaluateForm form, StudioUser user)
    {
        user.RequireMayAct(new Sentence("queue runs"));
        var problems = Check(form);
        if (!problems.IsEmpty) throw new RunRequestException(problems.ByField.Values.First());
        return await runs.EnqueueAsync(RunKind.Predict, form.Name.Trim(), user.Name, form.Yaml(choices.SavesRelative), form.OutputDir(choices.SavesRelative));
    }

    /// <summary>The form field a config sentence is about, so it shows there (the sentences name their key).</summary>
    static string FieldOf(string message)
    {
        foreach (var key in new[] { "max_new_tokens", "temperature", "top_p", "cutoff_len", "max_samples", "per_device_eval_batch_size", DatasetField, ModelField })
            if (message.Contains(key, StringComparison.Ordinal)) return key;
        return OtherField;
    }
}
