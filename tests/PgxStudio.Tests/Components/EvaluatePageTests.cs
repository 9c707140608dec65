using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Evaluate;
using PgxStudio.Evaluation;
using PgxStudio.Persistence;

namespace PgxStudio.Tests.Components;

public class EvaluatePageTests
{
    [Fact]
    public async Task Starting_without_a_dataset_or_with_a_missing_model_shows_the_sentence_at_the_field_and_queues_nothing()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<EvaluatePage>(p => p.AddCascadingValue(ctx.Session));
        page.Find("#eval-model-path").Change("saves/models/missing");
        page.Find("#eval-start").Click();

        page.WaitForAssertion(() => Assert.Contains("Choose at least one dataset to evaluate on.", page.Markup));
        Assert.Contains("The model folder saves/models/missing does not exist", page.Markup);
        await using var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();
        Assert.Empty(db.Runs);
    }

    [Fact]
    public async Task A_finished_evaluation_shows_its_figures_and_its_samples_sort_by_score()
    {
        await using var ctx = new StudioComponentContext();
        // An evaluation whose files came from elsewhere (vLLM, LLaMA-Factory): the page reads only the two files.
        var folder = Path.Combine(ctx.ContentRoot, "saves/demo/base/eval_x");
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, EvaluationResults.PredictionsFileName),
        [
            """{"prompt":"p0","predict":"完全不同","label":"今天天气很好"}""",
            """{"prompt":"p1","predict":"ab","label":"ab"}""",
            """{"prompt":"p2","predict":"the cat","label":"the cat sat"}""",
        ]);
        File.WriteAllText(Path.Combine(folder, EvaluationResults.ResultsFileName), """{"predict_bleu-4": 31.5, "predict_rouge-1": 40.25, "predict_rouge-2": 20.0, "predict_rouge-l": 38.0, "predict_runtime": 1.5}""");
        int id;
        await using (var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            var run = new Run { Kind = RunKind.Predict, Name = "eval_x", Owner = "alice", Status = RunStatus.Succeeded, OutputDir = "saves/demo/base/eval_x", Method = "base", Datasets = "identity" };
            db.Runs.Add(run);
            await db.SaveChangesAsync();
            id = run.Id;
        }

        var page = ctx.Render<EvaluationPage>(p => p.Add(e => e.RunId, id));
        // The first scoring in a process loads jieba's dictionary, which takes a few seconds.
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("#eval-samples tbody tr").Count), TimeSpan.FromSeconds(60));
        Assert.Equal(["31.5", "40.25", "20", "38"], page.FindAll(".eval-metric").Select(m => m.TextContent));
        Assert.Equal($"/runs/{id}/files/generated_predictions.jsonl", page.Find("#eval-download-predictions").GetAttribute("href"));

        var unsorted = page.FindAll("td.eval-bleu").Select(td => double.Parse(td.TextContent)).ToList();
        Assert.NotEqual(unsorted.Order(), unsorted); // the file's order is not the score order, so sorting shows
        page.Find("#eval-sort-bleu").Click(); // ascending
        page.WaitForAssertion(() =>
        {
            var bleu = page.FindAll("td.eval-bleu").Select(td => double.Parse(td.TextContent)).ToList();
            Assert.Equal(bleu.Order(), bleu);
            Assert.Equal(59.4604, bleu[^1]);
        });
    }

    [Fact]
    public async Task A_running_evaluation_says_it_loads_until_its_worker_knows_the_batches()
    {
        await using var ctx = new StudioComponentContext();
        var recorder = ctx.Services.GetRequiredService<PgxStudio.Jobs.RunRecorder>();
        var run = new Run { Kind = RunKind.Predict, Name = "eval-loading", Owner = "alice", Status = RunStatus.Running, StartedAt = DateTime.UtcNow, OutputDir = "saves/demo/base/eval-loading", Method = "base", Datasets = "identity" };
        await using (var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            db.Runs.Add(run);
            await db.SaveChangesAsync();
        }

        var page = ctx.Render<EvaluationPage>(p => p.Add(x => x.RunId, run.Id));
        page.WaitForAssertion(() => Assert.Equal("Loading the model and the data", page.Find("#eval-progress").TextContent.Trim()));

        await recorder.RecordEventAsync(run.Id, new PgxStudio.Jobs.WorkerEvent { Event = PgxStudio.Jobs.WorkerEvent.Names.Started, Step = 0, TotalSteps = 3 });
        page.WaitForAssertion(() => Assert.Equal("Batch 0 / 3", page.Find("#eval-progress").TextContent.Trim()), TimeSpan.FromSeconds(5));
        await recorder.RecordEventAsync(run.Id, new PgxStudio.Jobs.WorkerEvent { Event = PgxStudio.Jobs.WorkerEvent.Names.Step, Step = 1, TotalSteps = 3 });
        page.WaitForAssertion(() => Assert.Equal("Batch 1 / 3", page.Find("#eval-progress").TextContent.Trim()), TimeSpan.FromSeconds(5));
    }
}
