using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Train;
using PgxStudio.Engine.Models;
using PgxStudio.Hosting;
using PgxStudio.Runs;
using PgxStudio.Tests.Training;
using PgxStudio.Training;

namespace PgxStudio.Tests.Components;

/// <summary>
/// The Train page shows the run's memory plan as the form changes, and a run that cannot fit in the memory free
/// now is not queued: one sentence names the levers.
/// </summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class TrainMemoryPlanTests
{
    [Fact]
    public async Task The_plan_follows_the_form_and_a_run_that_cannot_fit_is_not_queued()
    {
        await using var ctx = TrainStudio.Create();
        // A 70B model's config.json alone: the plan needs the shape, not the weights.
        var paths = ctx.Services.GetRequiredService<StudioPaths>();
        var big = Path.Combine(paths.Saves, "models", "llama-3.3-70b");
        Directory.CreateDirectory(big);
        File.WriteAllText(Path.Combine(big, "config.json"), KnownShapes.Find("meta-llama/Llama-3.3-70B-Instruct")!.ToJson().ToJsonString());

        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        page.WaitForAssertion(() => Assert.EndsWith("— fits", page.Find("#train-memory-summary").TextContent.Trim()));
        Assert.Contains("activations", page.Find("#train-memory-parts").TextContent);
        var demo = page.Find("#train-memory-summary").TextContent;

        page.Find("#train-cutoff-len").Change("4096");
        page.WaitForAssertion(() => Assert.NotEqual(demo, page.Find("#train-memory-summary").TextContent));

        page.Find("#train-model-path").Change("saves/models/llama-3.3-70b");
        var datasets = page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.UserAttributes.TryGetValue("id", out var id) && (string)id! == "train-datasets");
        await page.InvokeAsync(() => datasets.Instance.SelectedValuesChanged.InvokeAsync(["identity"]));
        page.WaitForAssertion(() => Assert.EndsWith("— does not fit", page.Find("#train-memory-summary").TextContent.Trim()));
        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Contains("any of these lowers its peak: QLoRA", page.Find("#train-memory-refusal").TextContent));
        Assert.Empty(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
    }

    [Fact]
    public async Task Quantization_fields_write_LLaMA_Factorys_keys_and_shrink_the_weights()
    {
        await using var ctx = TrainStudio.Create();
        var planner = ctx.Services.GetRequiredService<TrainMemoryPlanner>();
        var form = TrainStudio.SmallForm();
        long Weights(TrainForm f) => planner.Plan(f).Plan!.Parts.Single(p => p.Name == "weights").Bytes;
        long plain = Weights(form);
        form.QuantizationBit = 4;
        Assert.True(Weights(form) < plain);
        form.GradientCheckpointing = false;
        var yaml = ctx.Services.GetRequiredService<TrainLauncher>().Yaml(form);
        Assert.Contains("quantization_bit: 4", yaml);
        Assert.Contains("disable_gradient_checkpointing: true", yaml);
        Assert.Equal(4, TrainForm.FromArguments(Engine.Training.TrainingConfigLoader.ReadUnchecked(yaml, "yaml"), DateTime.Now).QuantizationBit);
    }
}
