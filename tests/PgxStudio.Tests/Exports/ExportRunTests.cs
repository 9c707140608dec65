using PgxStudio.Exports;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Exports;

/// <summary>An export from the form in a real studio: a real `pgx export` worker on the GPU queue, its progress, its
/// folder under saves/exports/ and the page's list of it.</summary>
[Collection(StudioCollection.Name)]
public class ExportRunTests
{
    [Fact]
    public async Task An_export_runs_as_a_queued_job_and_is_listed_with_its_files_and_serve_commands()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var form = new ExportForm { Name = "tiny", ModelPath = "saves/models/pgx-demo-tiny", ExportFormats = ["hf", "gguf", "fp8"], Quantizations = ["q8_0"], CalibrationDataset = "identity", CalibrationSamples = 4 };
        var run = await studio.Get<ExportLauncher>().StartAsync(form, new StudioUser("erin", false));
        var done = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(180), "the export to finish");
        Assert.True(done!.Status == RunStatus.Succeeded, $"the export ended {done.Status}: {done.Error}");
        Assert.True(done.TotalSteps > 0 && done.CurrentStep == done.TotalSteps, "the worker's progress reached the run");
        Assert.Contains("llama.cpp: llama-server -m ", File.ReadAllText(Path.Combine(root.Path, done.OutputDir, "worker.log"))); // the serve commands, logged

        var export = Assert.Single(studio.Get<ExportCatalog>().Finished());
        Assert.Equal(("tiny", "saves/exports/tiny"), (export.Name, export.Folder));
        Assert.Equal(["hf", "gguf q8_0", "fp8"], export.Outputs.Select(o => o.Output.Label));
        foreach (var view in export.Outputs)
            foreach (var file in view.Output.Files)
                Assert.Equal(file.Bytes, new FileInfo(Path.Combine(view.Folder, file.Name)).Length);
        var gguf = export.Outputs[1];
        Assert.Equal($"llama-server -m {Path.Combine(root.Path, "saves", "exports", "tiny", "gguf-q8_0", "tiny-Q8_0.gguf")} --port 8080", gguf.Commands.Single(c => c.Engine == "llama.cpp").Command);
        Assert.Contains("ollama create tiny:q8_0 -f Modelfile", gguf.Commands.Single(c => c.Engine == "Ollama").Command);
        Assert.Contains("--quantization modelopt", export.Outputs[2].Commands.Single(c => c.Engine == "vLLM").Command);
        // The studio's engine reads Hugging Face folders: chat is offered for that output only.
        Assert.Equal(["saves/exports/tiny/hf"], export.Outputs.Select(o => o.ChatModelPath).OfType<string>());
    }

    [Fact]
    public async Task An_export_into_someone_elses_folder_fails_with_the_sentence_and_leaves_the_folder_alone()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        // The page would refuse this name; the worker refuses it as well (a config queued by hand, a folder made since).
        var folder = Path.Combine(root.Saves, "exports", "late");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "mine.txt"), "mine");
        var form = new ExportForm { Name = "late", ModelPath = "saves/models/pgx-demo-tiny", ExportFormats = ["hf"] };
        var run = await studio.Get<RunService>().EnqueueAsync(RunKind.Export, "late", "erin", form.Yaml("saves", "data"));
        var done = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(120), "the export to finish");
        Assert.Equal(RunStatus.Failed, done!.Status);
        Assert.Equal($"export_dir saves/exports/late already holds files that are not an earlier export (it has no pgx_export.json); choose another name or move them away.", done.Error);
        Assert.Equal(["mine.txt"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }
}
