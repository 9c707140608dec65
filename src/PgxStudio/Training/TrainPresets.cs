using PgxStudio.Engine.Training;
using PgxStudio.Hosting;
using PgxStudio.Runs;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Training;

/// <summary>
/// Named Train page settings kept as LLaMA-Factory YAML files in presets/ under the content root (LlamaBoard saves
/// its configs as YAML files too), so a preset also works as `pgx train presets/NAME.yaml output_dir=…`.
/// </summary>
public sealed class TrainPresets(StudioPaths paths, TrainChoices choices)
{
    public string Folder => Path.Combine(paths.ContentRoot, "presets");

    public IReadOnlyList<string> Names() => Directory.Exists(Folder)
        ? Directory.EnumerateFiles(Folder, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(n => SafeName.Problem(n, new Sentence("name of the preset")) is null).Order(StringComparer.OrdinalIgnoreCase).ToList()
        : [];

    /// <summary>Writes the form's settings (without its output folder: each run gets its own) as presets/NAME.yaml.</summary>
    public string Save(string name, TrainForm form)
    {
        if (SafeName.Problem(name, new Sentence("name of the preset")) is { } problem) throw new RunRequestException(problem);
        var args = choices.Arguments(form);
        args.OutputDir = null;
        Directory.CreateDirectory(Folder);
        var path = PathOf(name);
        File.WriteAllText(path, args.ToYaml());
        return path;
    }

    public TrainForm Load(string name, DateTime now)
    {
        if (SafeName.Problem(name, new Sentence("name of the preset")) is { } problem) throw new RunRequestException(problem);
        var path = PathOf(name);
        if (!File.Exists(path)) throw new RunRequestException("There is no preset '{0}' in {1}: pick one of the saved presets.", name.Trim(), Folder);
        try { return TrainForm.FromArguments(TrainingConfigLoader.ReadUnchecked(File.ReadAllText(path), path), now); }
        catch (TrainingConfigException e) { throw new RunRequestException(e.Message); }
    }

    string PathOf(string name) => Path.Combine(Folder, name.Trim() + ".yaml");
}
