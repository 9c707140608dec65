using PgxStudio.Engine.Evaluation;

namespace PgxStudio.Engine.Tests.Evaluation;

/// <summary>Every pair of the corpus scored exactly as NLTK, jieba and the rouge_chinese reference score it.</summary>
public sealed class SimilarityOracleTests(OracleCorpus corpus) : IClassFixture<OracleCorpus>
{
    static readonly JiebaSegmenter Jieba = new(JiebaData.Load(JiebaData.FindInstall()
        ?? throw new InvalidOperationException("No jieba install found; install Debian's python3-jieba.")));

    [Fact]
    public void Corpus_is_large_and_mixed()
    {
        Assert.True(corpus.Pairs.Count >= 200, $"{corpus.Pairs.Count} pairs");
        // Partial overlaps, not just 0 and 100, so the comparisons below can fail.
        Assert.True(corpus.Results.Count(r => r.rouge2 is > 0 and < 99) >= 100);
        Assert.True(corpus.Results.Count(r => r.bleu is > 0 and < 99) >= 100);
    }

    [Fact]
    public void Bleu_matches_nltk_method3_on_every_pair()
    {
        var mismatches = corpus.Pairs.Select((p, i) => (p, i, got: SimilarityMetrics.ScoreOne(p.Predict, p.Label, new FallbackSegmenter()).Bleu4))
            .Where(x => x.got != corpus.Results[x.i].bleu)
            .Select(x => $"#{x.i} {x.p.Predict[..Math.Min(20, x.p.Predict.Length)]}: {x.got} vs {corpus.Results[x.i].bleu}").ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Jieba_words_match_jieba_cut_on_every_text()
    {
        var mismatches = new List<string>();
        for (int i = 0; i < corpus.Pairs.Count; i++)
        {
            Check(corpus.Pairs[i].Predict, corpus.Results[i].predict_words);
            Check(corpus.Pairs[i].Label, corpus.Results[i].label_words);
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));

        void Check(string text, string[] expected)
        {
            var got = Jieba.Cut(text).ToArray();
            if (!got.SequenceEqual(expected))
                mismatches.Add($"{text[..Math.Min(30, text.Length)]}: [{string.Join("|", got)}] vs [{string.Join("|", expected)}]");
        }
    }

    [Fact]
    public void Rouge_matches_the_reference_semantics_on_every_pair()
    {
        var mismatches = new List<string>();
        for (int i = 0; i < corpus.Pairs.Count; i++)
        {
            var got = SimilarityMetrics.ScoreOne(corpus.Pairs[i].Predict, corpus.Pairs[i].Label, Jieba);
            var want = corpus.Results[i];
            if (got.Rouge1 != want.rouge1 || got.Rouge2 != want.rouge2 || got.RougeL != want.rougel || got.Bleu4 != want.bleu)
                mismatches.Add($"#{i}: {got} vs r1={want.rouge1} r2={want.rouge2} rl={want.rougel} bleu={want.bleu}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Means_equal_numpy_means_of_the_rounded_sample_scores_to_the_last_bit()
    {
        var report = SimilarityMetrics.Score(corpus.Pairs.Select(p => (p.Predict, p.Label)), Jieba);
        Assert.Equal(corpus.Means["bleu"], report.PredictResults["predict_bleu-4"]);
        Assert.Equal(corpus.Means["rouge1"], report.PredictResults["predict_rouge-1"]);
        Assert.Equal(corpus.Means["rouge2"], report.PredictResults["predict_rouge-2"]);
        Assert.Equal(corpus.Means["rougel"], report.PredictResults["predict_rouge-l"]);
        Assert.StartsWith("jieba (", report.Segmenter);
        Assert.Equal(report.Mean.Rouge2, report.PredictResults["predict_rouge-2"]);
    }
}
