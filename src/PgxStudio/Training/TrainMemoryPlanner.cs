using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Training;

namespace PgxStudio.Training;

/// <summary>What the Train page shows beside the form: the run's memory plan, or why there is none yet.</summary>
public sealed record TrainMemoryView(MemoryPlan? Plan, string? Problem);

/// <summary>
/// The memory plan of a Train form, as `pgx estimate` makes it, against the memory free on this machine now; the
/// page shows it live and the launcher refuses a run that cannot fit. The plan is for the device the workers use.
/// </summary>
public sealed class TrainMemoryPlanner(TrainChoices choices, Hosting.StudioPaths paths, TorchInfo torch)
{
    public TrainMemoryView Plan(TrainForm form) => Plan(choices.Arguments(form));

    public TrainMemoryView Plan(TrainingArguments args)
    {
        if (string.IsNullOrWhiteSpace(args.ModelNameOrPath)) return new(null, "Pick a model to see the memory plan.");
        try
        {
            // A folder under the content root, or a Hugging Face id whose shape the plan knows.
            var folder = paths.Resolve(args.ModelNameOrPath.Trim());
            var model = PlannedModel.Resolve(File.Exists(Path.Combine(folder, "config.json")) ? folder : args.ModelNameOrPath.Trim());
            return new(MemoryPlan.ForTraining(model, args, torch.Device, AvailableMemory.Now(torch.Device)), null);
        }
        catch (Exception e) when (e is ModelFileException or ArgumentException)
        {
            return new(null, e.Message);
        }
    }
}
