namespace PgxStudio.Engine.Evaluation;

/// <summary>Splits text into words for ROUGE, the way <c>jieba.cut</c> does (or a documented stand-in).</summary>
public interface IWordSegmenter
{
    /// <summary>Which segmenter this is, recorded next to the scores: "jieba (folder)" or "fallback: ...".</summary>
    string Description { get; }

    /// <summary>The words of <paramref name="text"/>, in order; concatenated they give the text back.</summary>
    IEnumerable<string> Cut(string text);
}
