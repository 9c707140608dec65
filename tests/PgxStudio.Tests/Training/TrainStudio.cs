using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Hosting;
using PgxStudio.Tests.Components;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

/// <summary>The studio's real services over a temporary content root that holds the demo model, as a started studio has.</summary>
public static class TrainStudio
{
    public static StudioComponentContext Create(string owner = "alice")
    {
        var ctx = new StudioComponentContext(owner);
        DemoModel.Create(ctx.Services.GetRequiredService<StudioPaths>().DefaultModel, "tiny");
        return ctx;
    }

    /// <summary>A small LoRA run on the demo model that passes every check.</summary>
    public static TrainForm SmallForm(string output = "small-run") => new()
    {
        ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["identity"], MaxSamples = 8, CutoffLength = 128, BatchSize = 1,
        GradientAccumulation = 1, LoggingSteps = 1, Epochs = 1, OutputName = output,
    };
}
