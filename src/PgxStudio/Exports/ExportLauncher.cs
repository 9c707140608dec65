using PgxStudio.Engine.Export;
using PgxStudio.Engine.Export.Gguf;
using PgxStudio.Engine.Export.ModelOpt;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Training;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Exports;

/// <summary>
/// Checks the Export form with `pgx export`'s own rules (and the checks it makes before writing: a quantized base,
/// a format the model cannot take, a folder that is not an earlier export) and queues it as an export run on the
/// GPU queue.
/// </summary>
public sealed class ExportLauncher(RunService runs, TrainChoices choices, StudioPaths paths)
{
    public const string NameField = "name", ModelField = "model_name_or_path", FormatField = "export_format", QuantizationField = "export_quantization",
        DatasetField = "export_quantization_dataset", OtherField = "";

    public FormProblems Check(ExportForm form)
    {
        var problems = new Dictionary<string, Sentence>();
        if (SafeName.Problem(form.Name, new Sentence("export name")) is { } name) problems[NameField] = name; // it becomes its folder
        if (form.ExportFormats.Count == 0) problems[FormatField] = new Sentence("Choose at least one format to export to.");
        if (form.WritesGguf && form.Quantizations.Count == 0) problems[QuantizationField] = new Sentence("Choose at least one GGUF type (q4_k_m is what Ollama's library uses).");
        if (form.Calibrates)
        {
            var (known, registryProblem) = choices.Datasets();
            if (string.IsNullOrWhiteSpace(form.CalibrationDataset))
                problems[DatasetField] = new Sentence("Choose a calibration dataset: NVFP4 and FP8 take their activation scales from running the model on it.");
            else if (registryProblem is not null) problems[DatasetField] = Sentence.Text(registryProblem);
            else if (!known.Contains(form.CalibrationDataset.Trim()))
                problems[DatasetField] = new Sentence("Dataset {0} is not in data/dataset_info.json; register it on the Datasets page first.", form.CalibrationDataset.Trim());
        }

        if (string.IsNullOrWhiteSpace(form.ModelPath)) problems[ModelField] = new Sentence("Choose a model to export.");
        else if (paths.MissingModelFolder(form.ModelPath) is { } missing) problems[ModelField] = Sentence.Text(missing);
        else CheckModel(form, paths.Resolve(form.ModelPath.Trim()), problems);

        if (!problems.ContainsKey(NameField) && !problems.ContainsKey(ModelField)
            && ExportFolder.Problem(paths.Resolve(form.ExportDir(choices.SavesRelative)), paths.Resolve(form.ModelPath.Trim())) is { } folder)
            problems[NameField] = Sentence.Text(folder);
        if (problems.Count == 0)
        {
            // The very rules `pgx export` applies, on the very YAML the run will get.
            try { ExportSettings.Parse(form.Yaml(choices.SavesRelative, choices.DataRelative), "the form", []); }
            catch (ArgumentException e) { problems[OtherField] = Sentence.Text(e.Message.StartsWith("the form: ", StringComparison.Ordinal) ? e.Message["the form: ".Length..] : e.Message); }
        }
        return new FormProblems(problems);
    }

    /// <summary>A quantized base, a tokenizer llama.cpp would split differently, widths NVFP4 cannot block.</summary>
    static void CheckModel(ExportForm form, string modelDirectory, Dictionary<string, Sentence> problems)
    {
        try
        {
            var config = ModelConfig.Load(modelDirectory);
            if (ExportRunner.QuantizedBase(modelDirectory) is { } quantized) problems[ModelField] = Sentence.Text(quantized);
            else if (form.ExportFormats.Contains("nvfp4") && ModelOptExporter.Unsupported(config, ModelOptFormat.NvFp4) is { } nvfp4) problems[FormatField] = Sentence.Text(nvfp4);
            else if (form.WritesGguf) GgufVocabulary.Read(modelDirectory, config);
        }
        catch (Exception e) when (e is ModelFileException or TokenizerFileException)
        {
            problems[ModelField] = Sentence.Text(e.Message);
        }
        catch (ArgumentException e)
        {
            problems[FormatField] = Sentence.Text(e.Message);
        }
    }

    /// <summary>Queues the export; throws <see cref="RunRequestException"/> with the first problem.</summary>
    public async Task<Run> StartAsync(ExportForm form, StudioUser user)
    {
        user.RequireMayAct(new Sentence("queue runs"));
        var problems = Check(form);
        if (!problems.IsEmpty) throw new RunRequestException(problems.ByField.Values.First());
        var yaml = form.Yaml(choices.SavesRelative, choices.DataRelative);
        var exportDir = form.ExportDir(choices.SavesRelative);
        // A queued export has not made its folder yet: two must not be queued into the same one.
        if ((await runs.QueueAsync()).Any(e => e.Run.Kind == RunKind.Export && ExportDirOf(e.Run) == exportDir))
            throw new RunRequestException("Export {0} is already in the queue: choose another name or wait for it.", form.Name.Trim());
        return await runs.EnqueueAsync(RunKind.Export, form.Name.Trim(), user.Name, yaml);
    }

    /// <summary>The export_dir an export run's config names (null when it cannot be read).</summary>
    public static string? ExportDirOf(Run run)
    {
        try { return ExportSettings.Parse(run.Config, $"run {run.Id}", []).ExportDir; }
        catch (ArgumentException) { return null; }
    }
}
