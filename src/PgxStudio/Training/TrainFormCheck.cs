using System.Text.RegularExpressions;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Training;
using Microsoft.Extensions.Localization;
using PgxStudio.Hosting;
using PgxStudio.Localization;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Training;

/// <summary>
/// The problems in a Train form, each at the field it concerns. The value rules are the CLI's own
/// (<see cref="TrainingArgumentsValidator"/>); the page adds what only the studio can check before queueing:
/// the model and start folders exist, the datasets are registered, the template is known, the output folder is free.
/// Those sentences are the studio's own and come in the page's language (<paramref name="L"/>); the CLI's stay English.
/// </summary>
public sealed partial class TrainFormCheck(StudioPaths paths, TrainChoices choices, IStringLocalizer<Strings> L)
{
    readonly DatasetStageFit _stageFit = new();

    /// <summary>Field keys are the config keys the form writes; these keys are shown at another field.</summary>
    static readonly Dictionary<string, string> FieldOfKey = new()
    {
        ["bf16"] = TrainFields.ComputeType, ["fp16"] = TrainFields.ComputeType,
        ["max_steps"] = TrainFields.Epochs, ["adapter_name_or_path"] = TrainFields.StartFrom,
    };

    [GeneratedRegex("^[a-z0-9_]+")]
    private static partial Regex LeadingKey();

    public TrainProblems Check(TrainForm form)
    {
        var problems = new TrainProblems();
        var args = choices.Arguments(form);
        foreach (var problem in TrainingArgumentsValidator.Problems(args))
        {
            var key = LeadingKey().Match(problem.Format).Value;
            var message = L.Say(problem);
            // The CLI's sentence tells how to write the YAML key; the page's field is a list to pick from.
            if (key == "dataset" && form.Datasets.Count == 0) continue;
            problems.Add(FieldOfKey.GetValueOrDefault(key, key), message);
        }
        if (form.Datasets.Count == 0) problems.Add(TrainFields.Datasets, L["dataset is missing: pick one or more datasets from the list."]);

        bool startsFromRun = !string.IsNullOrWhiteSpace(form.StartFrom);
        bool modelGiven = !string.IsNullOrWhiteSpace(form.ModelPath), modelFound = modelGiven && IsModelFolder(form.ModelPath);
        if (modelGiven && !modelFound)
            problems.Add(TrainFields.Model, L["model_name_or_path: the model folder {0} does not exist (or has no config.json): pick a model from the list or type the path of a Hugging Face model folder.", form.ModelPath.Trim()]);
        if (form.Method == "freeze" && modelFound && FreezeProblem(args) is { } freezeProblem)
            problems.Add(LeadingKey().Match(freezeProblem).Value, freezeProblem);
        if (startsFromRun)
        {
            var folder = paths.Resolve(form.StartFrom.Trim());
            var marker = form.Method == "lora" ? "adapter_config.json" : "config.json";
            if (!File.Exists(Path.Combine(folder, marker)))
                problems.Add(TrainFields.StartFrom, L["{0} has no {1}: pick a finished {2} run's folder, or none.", form.StartFrom.Trim(), marker, form.Method]);
        }

        var (registered, registryProblem) = choices.Datasets();
        if (registryProblem is not null) problems.Add(TrainFields.Datasets, registryProblem);
        else
        {
            foreach (var name in form.Datasets.Where(n => !registered.Contains(n)))
                problems.Add(TrainFields.Datasets, L["dataset '{0}' is not in {1}: pick one of {2}.", name, Path.Combine(choices.DataRelative, DatasetRegistry.FileName), string.Join(", ", registered)]);
            if (TrainingArgumentsValidator.Stages.Contains(form.Stage) && form.Datasets.Any(registered.Contains))
            {
                var registry = DatasetRegistry.Load(paths.Data);
                foreach (var name in form.Datasets.Where(registered.Contains))
                    if (_stageFit.Problem(registry, name, form.Stage) is { } unfit) problems.Add(TrainFields.Datasets, L.Say(unfit));
            }
        }

        if (form.Template != TrainForm.AutoTemplate && !ChatTemplates.Names.Contains(form.Template))
            problems.Add(TrainFields.Template, L["template '{0}' is unknown: choose auto or one of {1}.", form.Template, string.Join(", ", ChatTemplates.Names)]);

        if (SafeName.Problem(form.OutputName, new Sentence("output dir name")) is { } nameProblem) problems.Add(TrainFields.OutputDir, L.Say(nameProblem));
        else if (Directory.Exists(paths.Resolve(form.OutputDir(choices.SavesRelative))))
            problems.Add(TrainFields.OutputDir, L["{0} already exists: choose another output dir name.", form.OutputDir(choices.SavesRelative)]);
        return problems;
    }

    bool IsModelFolder(string path) => File.Exists(Path.Combine(paths.Resolve(path.Trim()), "config.json"));

    /// <summary>Module names the model's layers lack, read from its checkpoint's tensor names (headers only, no weights).</summary>
    string? FreezeProblem(TrainingArguments args)
    {
        try
        {
            using var weights = new ModelWeights(paths.Resolve(args.ModelNameOrPath!.Trim()));
            FreezeSelection.Trainable(weights.Names, args);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is ModelFileException or IOException or UnauthorizedAccessException)
        {
            return null; // a broken checkpoint is the trainer's to report, with the file it could not read
        }
    }
}

/// <summary>The form's field keys: the config key each field writes (a few fields write more than one key).</summary>
public static class TrainFields
{
    public const string Model = "model_name_or_path";
    public const string StartFrom = "start_from";
    public const string Datasets = "dataset";
    public const string Template = "template";
    public const string ComputeType = "compute_type";
    public const string Epochs = "num_train_epochs";
    public const string OutputDir = "output_dir";
    public const string Memory = "memory";
}

/// <summary>Problems by field key, one or more sentences each, in the order found.</summary>
public sealed class TrainProblems
{
    readonly Dictionary<string, List<string>> _byField = [];

    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var list)) _byField[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public bool IsEmpty => _byField.Count == 0;

    public bool Has(string field) => _byField.ContainsKey(field);

    public string? At(string field) => _byField.TryGetValue(field, out var list) ? string.Join(" ", list) : null;

    public IEnumerable<string> Fields => _byField.Keys;

    /// <summary>Problems at keys outside <paramref name="shown"/> (settings carried over from a loaded config).</summary>
    public IEnumerable<string> Elsewhere(IEnumerable<string> shown) =>
        _byField.Where(p => !shown.Contains(p.Key)).SelectMany(p => p.Value);

    public IEnumerable<string> All => _byField.Values.SelectMany(v => v);
}
