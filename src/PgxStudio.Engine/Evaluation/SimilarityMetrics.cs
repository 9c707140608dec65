namespace PgxStudio.Engine.Evaluation;

/// <summary>One prediction's scores, each F/BLEU ×100 and rounded to 4 decimals as LLaMA-Factory stores them.</summary>
public sealed record SampleScores(double Bleu4, double Rouge1, double Rouge2, double RougeL);

/// <summary>Per-sample and mean scores of a predictions set, and which word segmenter ROUGE used.</summary>
public sealed record SimilarityReport(IReadOnlyList<SampleScores> Samples, SampleScores Mean, string Segmenter)
{
    /// <summary>The keys LLaMA-Factory writes to predict_results.json.</summary>
    public IReadOnlyDictionary<string, double> PredictResults => new Dictionary<string, double>
    {
        ["predict_bleu-4"] = Mean.Bleu4,
        ["predict_rouge-1"] = Mean.Rouge1,
        ["predict_rouge-2"] = Mean.Rouge2,
        ["predict_rouge-l"] = Mean.RougeL,
    };
}

/// <summary>
/// LLaMA-Factory's ComputeSimilarity: per pair, ROUGE on " ".join(jieba.cut(text)) (0 when either side has no
/// words), character BLEU-4; every score ×100 rounded to 4 decimals; the report holds the means.
/// </summary>
public static class SimilarityMetrics
{
    /// <summary>jieba from <paramref name="jiebaFolder"/>, else an auto-detected jieba install, else the fallback.</summary>
    public static IWordSegmenter DefaultSegmenter(string? jiebaFolder = null)
    {
        var folder = jiebaFolder ?? Environment.GetEnvironmentVariable("PGX_JIEBA_PATH") ?? JiebaData.FindInstall();
        return folder is null ? new FallbackSegmenter() : new JiebaSegmenter(JiebaData.Load(folder));
    }

    public static SimilarityReport Score(IEnumerable<(string predict, string label)> pairs, IWordSegmenter? segmenter = null)
    {
        segmenter ??= DefaultSegmenter();
        var samples = pairs.Select(p => ScoreOne(p.predict, p.label, segmenter)).ToList();
        var mean = samples.Count == 0
            ? new SampleScores(0, 0, 0, 0)
            : new SampleScores(Mean(samples, s => s.Bleu4), Mean(samples, s => s.Rouge1),
                Mean(samples, s => s.Rouge2), Mean(samples, s => s.RougeL));
        return new SimilarityReport(samples, mean, segmenter.Description);
    }

    static double Mean(List<SampleScores> samples, Func<SampleScores, double> pick) =>
        NumpyMean.Of(samples.Select(pick).ToList());

    public static SampleScores ScoreOne(string predict, string label, IWordSegmenter segmenter)
    {
        var hyp = string.Join(' ', segmenter.Cut(predict));
        var reference = string.Join(' ', segmenter.Cut(label));
        double r1 = 0, r2 = 0, rl = 0;
        if (CodePoints.SplitOnSpace(hyp).Count > 0 && CodePoints.SplitOnSpace(reference).Count > 0)
        {
            var rouge = ChineseRouge.Score(hyp, reference);
            (r1, r2, rl) = (rouge.Rouge1, rouge.Rouge2, rouge.RougeL);
        }
        return new SampleScores(Percent(CharacterBleu.Sentence(predict, label)), Percent(r1), Percent(r2), Percent(rl));
    }

    // Python's round(x * 100, 4): banker's rounding on the exact binary value.
    static double Percent(double x) => PythonRound.To4(x * 100);
}
