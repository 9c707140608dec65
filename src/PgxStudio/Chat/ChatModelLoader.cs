using Microsoft.EntityFrameworkCore;
using PgxStudio.Engine.Training;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Serving;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Chat;

/// <summary>
/// What the Chat page asks to load: a model folder, adapters in order, a template (null = the model's own), and whether
/// a reasoning model thinks before it answers (LLaMA-Factory's enable_thinking).
/// </summary>
public sealed record ChatModelRequest(string ModelPath, IReadOnlyList<string> Adapters, string? Template, bool EnableThinking = true);

/// <summary>
/// Loading and unloading the team's chat model. Loading queues a "serve" run whose worker is `pgx serve` with the
/// run's LLaMA-Factory config; the model counts as loaded once the worker says it is ready (LoadedChatModels).
/// One model at a time: the GPU holds the training job and one chat model, not several.
/// </summary>
public sealed class ChatModelLoader(RunService runs, LoadedChatModels loaded, StudioPaths paths, IDbContextFactory<StudioDbContext> dbFactory)
{
    /// <summary>The serve run that is loading or serving now, if any (queued or running).</summary>
    public async Task<Run?> ActiveAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking()
            .Where(r => r.Kind == RunKind.Serve && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync();
    }

    /// <summary>The model a serve run of this studio serves, once ready.</summary>
    public LoadedChatModel? Loaded(int? runId = null) =>
        loaded.Current.Where(m => runId is null || m.RunId == runId).OrderByDescending(m => m.RunId).FirstOrDefault();

    /// <summary>The model folder a serve run loaded (where its tokenizer is), from its config; null when it names none.</summary>
    public async Task<string?> ModelFolderAsync(int runId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId);
        if (run is null) return null;
        try
        {
            return TrainingConfigLoader.ReadUnchecked(run.Config, $"run {run.Id}").ModelNameOrPath is { Length: > 0 } model ? paths.Resolve(model) : null;
        }
        catch (TrainingConfigException)
        {
            return null; // a config edited by hand: the user can still name the tokenizer
        }
    }

    /// <summary>Queues the serve run, or refuses in one sentence: no such folder, or a model is already loading/loaded.</summary>
    public async Task<Run> LoadAsync(ChatModelRequest request, StudioUser user)
    {
        user.RequireMayAct(new Sentence("load models"));
        if (string.IsNullOrWhiteSpace(request.ModelPath))
            throw new RunRequestException("Choose a model to load first.");
        if (paths.MissingModelFolder(request.ModelPath) is { } missing)
            throw new RunRequestException(missing);
        foreach (var adapter in request.Adapters.Where(a => !Directory.Exists(paths.Resolve(a))))
            throw new RunRequestException("The adapter folder {0} does not exist any more; choose another finished run.", adapter);
        if (await ActiveAsync() is { } active)
            throw new RunRequestException("{0} is already {1} (by {2}); chat with it, or unload it first.", active.Name, active.Status == RunStatus.Queued ? new Sentence("waiting to load") : new Sentence("loaded"), active.Owner);
        var name = "chat-" + Path.GetFileName(Path.TrimEndingDirectorySeparator(request.Adapters.LastOrDefault() ?? request.ModelPath));
        var run = await runs.EnqueueAsync(RunKind.Serve, name, user.Name, Config(request));
        return run;
    }

    /// <summary>Stops the serve worker gracefully (its owner or an admin).</summary>
    public Task UnloadAsync(int runId, StudioUser user) => runs.CancelAsync(runId, user);

    /// <summary>The served model and its adapters, from the serve run's config.</summary>
    public static string Describe(Run run)
    {
        TrainingArguments args;
        try { args = TrainingConfigLoader.ReadUnchecked(run.Config, $"run {run.Id}"); }
        catch (TrainingConfigException) { return run.Model ?? run.Name; } // a config edited by hand: its name is enough here
        var model = args.AdapterNameOrPath is { Length: > 0 } adapters
            ? $"{args.ModelNameOrPath} + {adapters.Replace(",", " + ")}"
            : $"{args.ModelNameOrPath} (no adapter)";
        return args.EnableThinking ? model : model + ", thinking off";
    }

    /// <summary>The serve run's config: LLaMA-Factory's keys, as `llamafactory-cli api` takes them.</summary>
    public static string Config(ChatModelRequest request)
    {
        var lines = new List<string> { "### model", $"model_name_or_path: {TrainingConfigKeys.Format(request.ModelPath)}" };
        if (request.Adapters.Count > 0)
        {
            lines.Add($"adapter_name_or_path: {TrainingConfigKeys.Format(string.Join(",", request.Adapters))}");
            lines.Add("finetuning_type: lora");
        }
        if (!string.IsNullOrWhiteSpace(request.Template)) lines.Add($"template: {TrainingConfigKeys.Format(request.Template)}");
        if (!request.EnableThinking) lines.Add("enable_thinking: false");
        return string.Join('\n', lines) + "\n";
    }
}
