using System.Text.Json;
using PgxStudio.Engine.Evaluation;
using PgxStudio.Engine.Training;
using PgxStudio.Evaluation;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Evaluation;

public class EvaluationServiceTests
{
    [Fact]
    public void The_forms_yaml_is_a_predict_config_pgx_predict_accepts()
    {
        var form = new EvaluateForm
        {
            Name = "eval_a", ModelPath = "saves/models/pgx-demo-tiny", Adapters = ["saves/train/run-3"], Datasets = ["identity", "instruct_demo"],
            MaxSamples = 8, MaxNewTokens = 16, Temperature = 0.5, TopP = 0.9, DoSample = false, BatchSize = 4,
        };
        var loaded = TrainingConfigLoader.Parse(form.Yaml("saves"), "the form", null, ConfigPurpose.Predict).Arguments;
        Assert.Equal(("saves/models/pgx-demo-tiny", "saves/train/run-3", "identity,instruct_demo"), (loaded.ModelNameOrPath, loaded.AdapterNameOrPath, loaded.EvalDataset));
        Assert.Equal((8, 16, 4, false), (loaded.MaxSamples, loaded.MaxNewTokens, loaded.PerDeviceEvalBatchSize, loaded.DoSample));
        Assert.Equal("saves/pgx-demo-tiny/lora/eval_a", loaded.OutputDir);
        Assert.DoesNotContain("template:", form.Yaml("saves")); // auto: the model's own
    }

    static string WritePredictions(params string[] lines)
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllLines(Path.Combine(folder, EvaluationResults.PredictionsFileName), lines);
        return folder;
    }

    [Fact]
    public void Every_sample_gets_the_engines_scores_and_sorting_puts_the_best_first()
    {
        var folder = WritePredictions(
            """{"prompt":"p0","predict":"the cat sat","label":"the cat sat on the mat"}""",
            """{"prompt":"p1","predict":"完全不同","label":"今天天气很好"}""",
            """{"prompt":"p2","predict":"ab","label":"ab"}""");
        var result = EvaluationResults.Load(folder)!;
        var segmenter = SimilarityMetrics.DefaultSegmenter();
        Assert.Equal(3, result.Samples.Count);
        Assert.Equal(59.4604, result.Samples[2].Scores.Bleu4); // the worked example
        foreach (var s in result.Samples)
            Assert.Equal(SimilarityMetrics.ScoreOne(s.Predict, s.Label, segmenter), s.Scores);
        Assert.Equal([2, 0, 1], EvaluationResults.SortBy(result.Samples, "bleu-4", descending: true).Select(s => s.Index));
        Assert.Equal([1, 0, 2], EvaluationResults.SortBy(result.Samples, "bleu-4", descending: false).Select(s => s.Index));
        Assert.Empty(result.Metrics); // no predict_results.json written: the page shows dashes, not zeros
    }

    [Fact]
    public void A_predictions_file_with_a_missing_field_names_its_line_and_field()
    {
        var folder = WritePredictions("""{"prompt":"p","predict":"a","label":"a"}""", """{"prompt":"p","predict":"b"}""");
        var e = Assert.Throws<InvalidDataException>(() => EvaluationResults.Load(folder));
        Assert.Contains("line 2 has no \"label\" field", e.Message);
    }

    [Fact]
    public void No_predictions_yet_is_no_result_rather_than_an_error() =>
        Assert.Null(EvaluationResults.Load(Directory.CreateTempSubdirectory().FullName));
}

/// <summary>Evaluations in a real studio: the form's checks, a real predict worker, its files and the compare rows.</summary>
[Collection(StudioCollection.Name)]
public class EvaluationRunTests
{
    [Fact]
    public async Task An_evaluation_from_the_form_runs_on_the_gpu_queue_and_its_figures_are_the_mean_of_its_samples()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var launcher = studio.Get<EvaluationLauncher>();
        var user = new StudioUser("dana", false);

        // Bad input is named at its field and nothing is queued.
        var bad = launcher.Check(new EvaluateForm { ModelPath = "saves/models/missing", Datasets = [] });
        Assert.Equal("The model folder saves/models/missing does not exist; choose one from the list or type the path of a Hugging Face model folder.", bad.For(EvaluationLauncher.ModelField)?.ToString());
        Assert.Equal("Choose at least one dataset to evaluate on.", bad.For(EvaluationLauncher.DatasetField)?.ToString());
        var unknown = launcher.Check(new EvaluateForm { ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["nope"] });
        Assert.Equal("Dataset nope is not in data/dataset_info.json; register it on the Datasets page first.", unknown.For(EvaluationLauncher.DatasetField)?.ToString());
        var twoBad = launcher.Check(new EvaluateForm { ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["identity"], BatchSize = 0, CutoffLen = 0 });
        Assert.Equal("per_device_eval_batch_size must be at least 1.", twoBad.For("per_device_eval_batch_size")?.ToString());
        Assert.Equal("cutoff_len must be at least 1, got 0.", twoBad.For("cutoff_len")?.ToString());
        Assert.StartsWith("The evaluation name 'my eval' cannot be used", launcher.Check(new EvaluateForm { ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["identity"], Name = "my eval" }).For(EvaluationLauncher.NameField)?.ToString());
        await Assert.ThrowsAsync<RunRequestException>(() => launcher.StartAsync(new EvaluateForm(), user));
        Assert.Empty(await studio.Get<EvaluationHistory>().RecentAsync());

        var form = new EvaluateForm { Name = "eval_base", ModelPath = "saves/models/pgx-demo-tiny", Datasets = ["identity"], MaxSamples = 6, MaxNewTokens = 6, BatchSize = 4, DoSample = false };
        Assert.True(launcher.Check(form).IsEmpty);
        var run = await launcher.StartAsync(form, user);
        Assert.Equal((RunKind.Predict, "dana", "base", "identity"), (run.Kind, run.Owner, run.Method, run.Datasets));
        var done = await Eventually.Get(() => studio.Get<RunQueries>().GetAsync(run.Id), r => r!.IsFinished, TimeSpan.FromSeconds(120), "the evaluation to finish");
        Assert.True(done!.Status == RunStatus.Succeeded, $"the evaluation ended {done.Status}: {done.Error}");
        Assert.Equal((2, 2), (done.CurrentStep, done.TotalSteps)); // 6 samples in batches of 4

        var result = EvaluationResults.Load(Path.Combine(root.Path, done.OutputDir))!;
        Assert.Equal(6, result.Samples.Count);
        Assert.Equal(result.Samples.Average(s => s.Scores.Bleu4), result.Metric("predict_bleu-4")!.Value, 3);
        Assert.Equal(result.Samples.Average(s => s.Scores.RougeL), result.Metric("predict_rouge-l")!.Value, 3);

        // Both files download from the run's folder; nothing outside it does.
        using var http = studio.CreateClient();
        var predictions = await http.GetStringAsync($"/runs/{run.Id}/files/{EvaluationResults.PredictionsFileName}");
        Assert.Equal(6, predictions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        using var results = JsonDocument.Parse(await http.GetStringAsync($"/runs/{run.Id}/files/{EvaluationResults.ResultsFileName}"));
        Assert.True(results.RootElement.TryGetProperty("predict_rouge-1", out _));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/runs/{run.Id}/files/..%2F..%2Fstudio.db")).StatusCode);

        var rows = await studio.Get<EvaluationHistory>().CompareAsync([run.Id, 999]);
        Assert.Equal(result.Metric("predict_bleu-4"), Assert.Single(rows).Metrics["predict_bleu-4"]);
    }
}
