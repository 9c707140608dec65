using PgxStudio.Engine.Evaluation;

namespace PgxStudio.Engine.Tests.Evaluation;

public sealed class SimilarityMetricsTests
{
    [Fact]
    public void Identical_two_character_answer_scores_the_issue_example()
    {
        // From the issue, checked against NLTK: 2 of 4 precisions are empty, method3 gives them 1/2 and 1/4.
        var scores = SimilarityMetrics.ScoreOne("ab", "ab", new FallbackSegmenter());
        Assert.Equal(59.4604, scores.Bleu4);
    }

    [Fact]
    public void Empty_prediction_scores_zero_everywhere()
    {
        var scores = SimilarityMetrics.ScoreOne("", "有内容的答案", new FallbackSegmenter());
        Assert.Equal(new SampleScores(0, 0, 0, 0), scores);
    }

    [Fact]
    public void Fallback_segmenter_splits_cjk_characters_and_keeps_latin_runs_whole()
    {
        var words = new FallbackSegmenter().Cut("用GPT4写code 吧").ToArray();
        Assert.Equal(["用", "GPT4", "写", "code", " ", "吧"], words);
        Assert.Equal("用GPT4写code 吧", string.Concat(words));
    }

    [Fact]
    public void Report_names_the_segmenter_used()
    {
        var report = SimilarityMetrics.Score([("你好", "你好")], new FallbackSegmenter());
        Assert.StartsWith("fallback:", report.Segmenter);
        Assert.Equal(100, report.Mean.Rouge1, 3);
    }

    [Fact]
    public void Jieba_folder_without_a_dictionary_is_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-nojieba");
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => JiebaData.Load(dir.FullName));
            Assert.Contains("dict.txt", error.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Jieba_data_is_found_on_this_machine_and_loaded_once()
    {
        var folder = JiebaData.FindInstall();
        Assert.NotNull(folder); // CI installs Debian's python3-jieba
        Assert.Same(JiebaData.Load(folder!), JiebaData.Load(folder!));
    }
}
