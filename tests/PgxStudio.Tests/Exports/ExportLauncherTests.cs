using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Engine.Export;
using PgxStudio.Exports;
using PgxStudio.Hosting;
using PgxStudio.Jobs;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Training;

namespace PgxStudio.Tests.Exports;

/// <summary>The Export form: the YAML it stands for, its checks at each field, and the run it queues.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class ExportLauncherTests
{
    static ExportForm Form(string name = "demo-export") => new()
    {
        Name = name, ModelPath = "saves/models/pgx-demo-tiny", ExportFormats = ["gguf", "nvfp4"], Quantizations = ["q8_0", "q4_k_m"],
        CalibrationDataset = "identity", CalibrationSamples = 16, ShardGigabytes = 2,
    };

    [Fact]
    public void The_forms_yaml_is_an_export_config_pgx_export_accepts()
    {
        var form = Form();
        form.Adapters = ["saves/train/run-3", "saves/train/run-4"];
        var settings = ExportSettings.Parse(form.Yaml("saves", "data"), "the form", []);
        Assert.Equal(("saves/models/pgx-demo-tiny", "saves/train/run-3,saves/train/run-4", "saves/exports/demo-export", 2),
            (settings.ModelNameOrPath, settings.AdapterNameOrPath, settings.ExportDir, settings.ExportSizeGigabytes));
        Assert.Equal(["gguf", "nvfp4"], settings.Formats);
        Assert.Equal(["q8_0", "q4_k_m"], settings.GgufQuantizations.Select(q => q.Name));
        Assert.Equal(("identity", 16, "data"), (settings.QuantizationDataset, settings.QuantizationSamples, settings.DatasetDir));
        Assert.Equal(["gguf-q8_0", "gguf-q4_k_m", "nvfp4"], settings.Outputs.Select(o => o.Folder));

        var hfOnly = new ExportForm { Name = "plain", ModelPath = "m", ExportFormats = ["hf"] }.Yaml("saves", "data");
        Assert.DoesNotContain("export_quantization", hfOnly); // no GGUF types, no calibration for a plain merge
        Assert.DoesNotContain("template:", hfOnly);          // auto: the model's own
    }

    [Fact]
    public async Task Each_problem_is_one_sentence_at_its_field_and_nothing_is_queued()
    {
        await using var ctx = TrainStudio.Create();
        var launcher = ctx.Services.GetRequiredService<ExportLauncher>();
        var paths = ctx.Services.GetRequiredService<StudioPaths>();

        var empty = launcher.Check(new ExportForm { Name = "my export", ModelPath = "", ExportFormats = [] });
        Assert.StartsWith("The export name 'my export' cannot be used", empty.For(ExportLauncher.NameField)?.ToString());
        Assert.Equal("Choose a model to export.", empty.For(ExportLauncher.ModelField)?.ToString());
        Assert.Equal("Choose at least one format to export to.", empty.For(ExportLauncher.FormatField)?.ToString());

        var noTypes = Form();
        noTypes.Quantizations = [];
        noTypes.CalibrationDataset = "nope";
        var problems = launcher.Check(noTypes);
        Assert.Equal("Choose at least one GGUF type (q4_k_m is what Ollama's library uses).", problems.For(ExportLauncher.QuantizationField)?.ToString());
        Assert.Equal("Dataset nope is not in data/dataset_info.json; register it on the Datasets page first.", problems.For(ExportLauncher.DatasetField)?.ToString());

        // A folder of someone else's files under saves/exports/ is named at the export's name, not overwritten later.
        Directory.CreateDirectory(Path.Combine(paths.Saves, "exports", "taken"));
        File.WriteAllText(Path.Combine(paths.Saves, "exports", "taken", "notes.txt"), "keep");
        Assert.Equal("export_dir saves/exports/taken already holds files that are not an earlier export (it has no pgx_export.json); choose another name or move them away.",
            launcher.Check(Form("taken")).For(ExportLauncher.NameField)?.ToString()!.Replace(paths.Resolve("saves/exports/taken"), "saves/exports/taken"));

        // A quantized base is refused at the model.
        var quantized = Path.Combine(paths.Saves, "models", "quantized");
        CopyFolder(paths.DefaultModel, quantized);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(quantized, "config.json")))!.AsObject();
        config["quantization_config"] = new JsonObject { ["quant_method"] = "bitsandbytes" };
        File.WriteAllText(Path.Combine(quantized, "config.json"), config.ToJsonString());
        var q = Form();
        q.ModelPath = "saves/models/quantized";
        Assert.EndsWith("has a quantization_config (bitsandbytes): adapters cannot be merged into quantized weights, so export from the original full-precision model.",
            launcher.Check(q).For(ExportLauncher.ModelField)?.ToString());

        await Assert.ThrowsAsync<RunRequestException>(() => launcher.StartAsync(noTypes, new StudioUser("alice", false)));
        Assert.Empty(await ctx.Services.GetRequiredService<RunService>().QueueAsync());
        Assert.Equal("keep", File.ReadAllText(Path.Combine(paths.Saves, "exports", "taken", "notes.txt")));
    }

    [Fact]
    public async Task Start_queues_an_export_run_on_the_gpu_queue_whose_worker_is_pgx_export()
    {
        await using var ctx = TrainStudio.Create();
        var launcher = ctx.Services.GetRequiredService<ExportLauncher>();
        var form = Form();
        Assert.True(launcher.Check(form).IsEmpty);
        var run = await launcher.StartAsync(form, new StudioUser("carol", false));
        Assert.Equal((RunKind.Export, "demo-export", "carol", RunStatus.Queued, "saves/models/pgx-demo-tiny"), (run.Kind, run.Name, run.Owner, run.Status, run.Model));
        Assert.Equal(form.Yaml("saves", "data"), run.Config);
        Assert.Equal("gpu", Assert.Single(await ctx.Services.GetRequiredService<RunService>().QueueAsync()).Queue);

        var start = WorkerLaunch.For(run, ctx.ContentRoot);
        var args = start.ArgumentList.SkipWhile(a => a != "export").ToList();
        Assert.Equal("export", args[0]);
        Assert.Equal(form.Yaml("saves", "data"), File.ReadAllText(args[1]));

        var again = await Assert.ThrowsAsync<RunRequestException>(() => launcher.StartAsync(Form(), new StudioUser("dave", false)));
        Assert.Equal("Export demo-export is already in the queue: choose another name or wait for it.", again.Message);
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
