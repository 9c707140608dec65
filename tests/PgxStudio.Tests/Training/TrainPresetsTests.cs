using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Runs;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class TrainPresetsTests
{
    [Fact]
    public async Task A_saved_preset_is_a_yaml_file_that_loads_back_into_the_same_form()
    {
        await using var ctx = TrainStudio.Create();
        var presets = ctx.Services.GetRequiredService<TrainPresets>();
        var form = TrainStudio.SmallForm();
        form.LearningRate = 2e-4;
        form.LoraRank = 16;
        var path = presets.Save("demo-lora_1", form);

        Assert.Equal(Path.Combine(ctx.ContentRoot, "presets", "demo-lora_1.yaml"), path);
        var text = File.ReadAllText(path);
        Assert.Contains("lora_rank: 16", text);
        Assert.DoesNotContain("output_dir", text); // each run gets its own folder
        Assert.Equal(["demo-lora_1"], presets.Names());

        var loaded = presets.Load("demo-lora_1", DateTime.Now);
        loaded.OutputName = form.OutputName;
        Assert.Equal(form.ToArguments().ToYaml(), loaded.ToArguments().ToYaml());
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("has space")]
    [InlineData("")]
    public async Task A_bad_preset_name_is_refused_with_a_sentence_and_nothing_is_written(string name)
    {
        await using var ctx = TrainStudio.Create();
        var presets = ctx.Services.GetRequiredService<TrainPresets>();
        var e = Assert.Throws<RunRequestException>(() => presets.Save(name, TrainStudio.SmallForm()));
        Assert.StartsWith("The name of the preset ", e.Message);
        Assert.False(Directory.Exists(presets.Folder) && Directory.EnumerateFiles(presets.Folder).Any());
        Assert.False(File.Exists(Path.Combine(ctx.ContentRoot, "outside.yaml")));
    }

    [Fact]
    public async Task Loading_a_missing_or_broken_preset_says_which_and_why()
    {
        await using var ctx = TrainStudio.Create();
        var presets = ctx.Services.GetRequiredService<TrainPresets>();
        var missing = Assert.Throws<RunRequestException>(() => presets.Load("ghost", DateTime.Now));
        Assert.StartsWith("There is no preset 'ghost'", missing.Message);
        Directory.CreateDirectory(presets.Folder);
        File.WriteAllText(Path.Combine(presets.Folder, "broken.yaml"), "cutoff_len: long\n");
        var broken = Assert.Throws<RunRequestException>(() => presets.Load("broken", DateTime.Now));
        Assert.EndsWith("broken.yaml line 1: cutoff_len 'long' is not a whole number.", broken.Message);
    }
}
