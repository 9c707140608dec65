using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Train;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Training;
using PgxStudio.Training;

namespace PgxStudio.Tests.Components;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class TrainPageTests
{
    [Fact]
    public async Task An_impossible_value_shows_the_CLIs_sentence_at_its_field_and_Start_queues_nothing()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Equal("false", page.Find("#train-learning-rate").GetAttribute("aria-invalid")); // nothing shown before a change

        page.Find("#train-learning-rate").Change("-0.001");
        page.WaitForAssertion(() =>
        {
            Assert.Equal("true", page.Find("#train-learning-rate").GetAttribute("aria-invalid"));
            Assert.Equal("learning_rate must be positive, got -0.001.", ErrorAt(page, "train-learning-rate"));
        });
        Assert.Equal("false", page.Find("#train-cutoff-len").GetAttribute("aria-invalid"));
        Assert.Null(ErrorAt(page, "train-cutoff-len"));

        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Contains("to fix before starting", page.Find("#train-problem-count").TextContent));
        Assert.Empty(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
        Assert.Empty(page.FindAll("#train-started"));
    }

    [Fact]
    public async Task A_model_path_that_does_not_exist_is_reported_at_the_model_field()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        page.Find("#train-model-path").Change("saves/models/missing");
        page.WaitForAssertion(() => Assert.StartsWith("model_name_or_path: the model folder saves/models/missing does not exist",
            ErrorAt(page, "train-model-path")));
    }

    [Fact]
    public async Task The_yaml_preview_follows_the_form()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Contains("lora_rank: 8", page.Find("#train-yaml").TextContent);
        Assert.Contains("model_name_or_path: saves/models/pgx-demo-tiny", page.Find("#train-yaml").TextContent);

        page.Find("#train-lora-rank").Change("32");
        page.WaitForAssertion(() => Assert.Contains("lora_rank: 32", page.Find("#train-yaml").TextContent));
        page.Find("#train-output-dir").Change("rank32");
        page.WaitForAssertion(() =>
        {
            Assert.Contains("output_dir: saves/pgx-demo-tiny/lora/rank32", page.Find("#train-yaml").TextContent);
            Assert.Equal("pgx train rank32.yaml", page.Find("#train-command").TextContent);
        });
    }

    [Fact]
    public async Task Freeze_shows_its_layers_and_modules_and_a_module_the_model_lacks_is_named_at_its_field()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Empty(page.FindAll("#train-freeze-modules"));
        var method = page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.UserAttributes.TryGetValue("id", out var id) && (string)id! == "train-method");
        await page.InvokeAsync(() => method.Instance.ValueChanged.InvokeAsync("freeze"));

        page.WaitForAssertion(() => Assert.Contains("finetuning_type: freeze", page.Find("#train-yaml").TextContent));
        Assert.Equal("all", page.Find("#train-freeze-modules").GetAttribute("value"));
        page.Find("#train-freeze-modules").Change("mlp,ffn");
        page.WaitForAssertion(() => Assert.StartsWith("freeze_trainable_modules names ffn, which the layers of this model do not have",
            ErrorAt(page, "train-freeze-modules")));
        page.Find("#train-freeze-modules").Change("mlp");
        page.Find("#train-freeze-extra").Change("norm");
        page.WaitForAssertion(() =>
        {
            Assert.Null(ErrorAt(page, "train-freeze-modules"));
            Assert.Contains("freeze_trainable_modules: mlp\nfreeze_extra_modules: norm", page.Find("#train-yaml").TextContent);
        });
    }

    [Fact]
    public async Task Start_from_a_cloned_run_queues_a_run_for_the_user_and_shows_its_position_and_link()
    {
        await using var ctx = TrainStudio.Create("carol");
        var launcher = ctx.Services.GetRequiredService<TrainLauncher>();
        var earlier = await launcher.StartAsync(TrainStudio.SmallForm("earlier"), new StudioUser("dave", false));

        var page = RenderClone(ctx, earlier.Run!.Id);
        Assert.Contains($"run #{earlier.Run.Id}", page.Find("#train-cloned").TextContent);
        Assert.Contains("dataset: identity", page.Find("#train-yaml").TextContent);
        Assert.Contains("max_samples: 8", page.Find("#train-yaml").TextContent);

        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Equal("number 2 in the gpu queue", page.Find("#train-queue-position").TextContent));
        var queue = await ctx.Services.GetRequiredService<RunService>().QueueAsync();
        var mine = Assert.Single(queue, e => e.Run.Owner == "carol").Run;
        Assert.Equal((RunKind.Train, "identity", "lora"), (mine.Kind, mine.Datasets, mine.Method));
        Assert.Equal($"/runs/{mine.Id}", page.Find("#train-run-link").GetAttribute("href"));

        // The queue moves: the earlier run is cancelled, so this one is next.
        await ctx.Services.GetRequiredService<RunService>().CancelAsync(earlier.Run.Id, new StudioUser("dave", false));
        page.WaitForAssertion(() => Assert.Equal("next in the gpu queue", page.Find("#train-queue-position").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Without_a_user_name_Start_shows_the_sentence_and_queues_nothing()
    {
        await using var ctx = TrainStudio.Create(owner: "");
        var earlier = await ctx.Services.GetRequiredService<TrainLauncher>().StartAsync(TrainStudio.SmallForm("earlier"), new StudioUser("dave", false));
        var page = RenderClone(ctx, earlier.Run!.Id);
        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Equal("Enter your name first: every queued job records who queued it.", page.Find("#train-start-error").TextContent.Trim()));
        Assert.Single(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
    }

    [Fact]
    public async Task Max_samples_of_minus_one_is_the_CLIs_sentence_at_the_field_and_Start_queues_nothing()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<string>>()
            .Single(s => s.Instance.UserAttributes.TryGetValue("id", out var id) && (string)id! == "train-datasets").Instance.SelectedValuesChanged.InvokeAsync(["identity"]));

        page.Find("#train-max-samples").Change("-1");

        page.WaitForAssertion(() => Assert.Equal("max_samples must be at least 1 (leave it out to use every sample).", ErrorAt(page, "train-max-samples")));
        Assert.Contains("max_samples: -1", page.Find("#train-yaml").TextContent);
        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Contains("to fix before starting", page.Find("#train-problem-count").TextContent));
        Assert.Empty(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
    }

    [Fact]
    public async Task A_number_field_that_cannot_be_read_stops_Start_instead_of_queueing_its_old_value()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<string>>()
            .Single(s => s.Instance.UserAttributes.TryGetValue("id", out var id) && (string)id! == "train-datasets").Instance.SelectedValuesChanged.InvokeAsync(["identity"]));

        page.Find("#train-max-samples").Change("all of them");

        page.WaitForAssertion(() => Assert.NotNull(ErrorAt(page, "train-max-samples")));
        page.Find("#train-start").Click();
        page.WaitForAssertion(() => Assert.Contains("to fix before starting", page.Find("#train-problem-count").TextContent));
        Assert.Empty(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
        Assert.Empty(page.FindAll("#train-started"));
    }

    /// <summary>The error MudBlazor shows under the field whose input has this id (null when it shows none).</summary>
    static string? ErrorAt(IRenderedComponent<TrainPage> page, string inputId) =>
        page.Find("#" + inputId).Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();

    static IRenderedComponent<TrainPage> RenderClone(StudioComponentContext ctx, int runId)
    {
        var nav = ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo($"/train?clone={runId}");
        return ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
    }

    [Fact]
    public async Task A_bad_preset_name_is_refused_with_a_sentence()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        page.Find("#train-preset-name").Input("my preset");
        page.Find("#train-preset-save").Click();
        page.WaitForAssertion(() => Assert.StartsWith("The name of the preset 'my preset' cannot be used", page.Find("#train-preset-message").TextContent.Trim()));
    }
}
