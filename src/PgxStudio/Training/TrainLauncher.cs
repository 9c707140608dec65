using PgxStudio.Engine.Training;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Engine.Sentences;
using Microsoft.Extensions.Localization;
using PgxStudio.Localization;

namespace PgxStudio.Training;

/// <summary>What pressing Start came to: the queued run and its place in the queue, or the problems to fix.</summary>
public sealed record TrainStart(Run? Run, int? Position, TrainProblems Problems);

/// <summary>
/// Turns a Train form into a queued run: checks it (nothing invalid, nothing that cannot fit in memory reaches the
/// queue), writes its YAML, queues it on
/// the gpu queue under the user's name. Also the page's other ways in: the YAML and command a form stands for, and
/// a form filled from a past run ("clone").
/// </summary>
public sealed class TrainLauncher(TrainFormCheck check, TrainChoices choices, RunService runs, RunQueries queries, TrainMemoryPlanner planner,
    Admission.MemoryAdmission admission, IStringLocalizer<Strings> L)
{
    /// <summary>The config exactly as the run will get it.</summary>
    public string Yaml(TrainForm form) => choices.Arguments(form).ToYaml();

    /// <summary>The same run from a terminal, with the YAML saved under its download name.</summary>
    public static string CommandLine(TrainForm form) => $"pgx train {FileName(form)}";

    public static string FileName(TrainForm form) => $"{(string.IsNullOrWhiteSpace(form.OutputName) ? "train" : form.OutputName.Trim())}.yaml";

    public async Task<TrainStart> StartAsync(TrainForm form, StudioUser user)
    {
        user.RequireMayAct(new Sentence("queue runs"));
        var problems = check.Check(form);
        var outputDir = form.OutputDir(choices.SavesRelative);
        // A queued run has no folder yet: two runs must not be queued into the same one.
        if (problems.IsEmpty && (await runs.QueueAsync()).Any(e => e.Run.OutputDir == outputDir))
            problems.Add(TrainFields.OutputDir, L["Run folder {0} is taken by a queued run: choose another output dir name.", outputDir]);
        // A run that cannot fit in the memory free now would fail an hour into the queue: say so before queueing it.
        // Memory a loaded chat model holds is counted as free: the run queues and waits until the model is unloaded.
        if (problems.IsEmpty && planner.Plan(form).Plan is { Fits: false } plan && plan.PeakBytes > plan.Available!.Bytes + admission.HeldByChatModels())
            problems.Add(TrainFields.Memory, L.Say(plan.Refusal(choices.Arguments(form))));
        if (!problems.IsEmpty) return new TrainStart(null, null, problems);
        // RunRequestException (no name entered) goes to the page as it is: one sentence.
        var run = await runs.EnqueueAsync(RunKind.Train, form.OutputName.Trim(), user.Name, Yaml(form), outputDir);
        return new TrainStart(run, await runs.PositionAsync(run.Id), problems);
    }

    /// <summary>The form a past train run was started with, under a fresh output name.</summary>
    public async Task<TrainForm> CloneAsync(int runId, DateTime now)
    {
        var run = await queries.GetAsync(runId) ?? throw new RunRequestException("Run {0} does not exist, so there is nothing to clone.", runId);
        if (run.Kind != RunKind.Train)
            throw new RunRequestException("Run {0} is a {1} run; only train runs can be cloned here.", runId, run.Kind.ToString().ToLowerInvariant());
        try { return TrainForm.FromArguments(TrainingConfigLoader.ReadUnchecked(run.Config, $"run {runId}'s config"), now); }
        catch (TrainingConfigException e) { throw new RunRequestException(e.Message); }
    }

}
