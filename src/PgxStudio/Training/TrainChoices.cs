using Microsoft.EntityFrameworkCore;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Templates;
using PgxStudio.Hosting;
using PgxStudio.Persistence;

namespace PgxStudio.Training;

/// <summary>A model the form offers: its name in the list and its path as the config writes it.</summary>
public sealed record ModelChoice(string Name, string Path);

/// <summary>A finished train run whose output a new run can start from.</summary>
public sealed record StartChoice(int RunId, string Name, string Folder, string Method, string? Model);

/// <summary>What the Train page's lists offer: local models, registered datasets, templates, finished runs.</summary>
public sealed class TrainChoices(StudioPaths paths, IDbContextFactory<StudioDbContext> dbFactory)
{
    public static readonly IReadOnlyList<string> Methods = Engine.Training.TrainingArgumentsValidator.FinetuningTypes;
    public static readonly IReadOnlyList<string> Stages = Engine.Training.TrainingArgumentsValidator.Stages;
    public static readonly IReadOnlyList<string> Schedulers = Engine.Training.LearningRateSchedule.Types;

    public IReadOnlyList<string> Templates { get; } = [TrainForm.AutoTemplate, .. ChatTemplates.Names.Order()];

    /// <summary>The saves folder as configs write it (relative to the content root when under it).</summary>
    public string SavesRelative => Relative(paths.Saves);

    /// <summary>The data folder as configs write it (dataset_dir).</summary>
    public string DataRelative => Relative(paths.Data);

    /// <summary>The arguments a Train form stands for in this studio: its saves and data folders filled in.</summary>
    public Engine.Training.TrainingArguments Arguments(TrainForm form)
    {
        var args = form.ToArguments(SavesRelative);
        args.DatasetDir = DataRelative;
        return args;
    }

    /// <summary>Models under the model roots, the default (demo) model first; paths relative to the content root.</summary>
    public IReadOnlyList<ModelChoice> Models()
    {
        var found = ModelCatalog.Scan(paths.ModelRoots).Where(e => e.Problem is null).Select(e => new ModelChoice(e.Name, Relative(e.Path)));
        var preferred = Relative(paths.DefaultModel);
        return found.OrderBy(m => m.Path == preferred ? 0 : 1).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public string DefaultModel => Relative(paths.DefaultModel);

    /// <summary>Dataset names from dataset_info.json; a broken registry is an empty list plus its sentence.</summary>
    public (IReadOnlyList<string> Names, string? Problem) Datasets()
    {
        try { return (DatasetRegistry.Load(paths.Data).Entries.Select(e => e.Name).ToList(), null); }
        catch (DatasetException e) { return ([], e.Message); }
    }

    /// <summary>Finished train runs of <paramref name="method"/> whose folder is still there, newest first.</summary>
    public async Task<IReadOnlyList<StartChoice>> StartPointsAsync(string method)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var runs = await db.Runs.AsNoTracking()
            .Where(r => r.Kind == RunKind.Train && r.Status == RunStatus.Succeeded && r.Method == method)
            .OrderByDescending(r => r.Id).Take(100).ToListAsync();
        return runs.Where(r => Directory.Exists(paths.Resolve(r.OutputDir)))
            .Select(r => new StartChoice(r.Id, r.Name, r.OutputDir, r.Method ?? method, r.Model)).ToList();
    }

    /// <summary>A path as a config should hold it: relative to the content root when it lies inside it.</summary>
    public string Relative(string path)
    {
        var full = Path.GetFullPath(path);
        var rel = Path.GetRelativePath(paths.ContentRoot, full);
        return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? full : rel.Replace('\\', '/');
    }
}
