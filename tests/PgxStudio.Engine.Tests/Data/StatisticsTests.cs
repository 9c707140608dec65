using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tests.Templates;

namespace PgxStudio.Engine.Tests.Data;

public class StatisticsTests
{
    [Fact]
    public void Lengths_follow_the_template_encoding()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen3_nothink");
        var c = new Conversation([Message.User("hi")], [Message.Assistant("yo")]);
        var stats = DatasetStatistics.Compute([c], t, tok);
        Assert.Equal(tok.Ids("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n").Count, stats.Lengths.Single());
        var pt = DatasetStatistics.Compute([new Conversation([Message.User("abc")], [])], t, tok, "pt");
        Assert.Equal(4, pt.Lengths.Single()); // 3 bytes + <|im_end|>
    }

    [Fact]
    public void Truncated_share_and_suggested_cutoff()
    {
        // 100 samples of length 1..100 tokens, scaled by 10: 10..1000.
        var stats = DatasetStatistics.FromLengths(Enumerable.Range(1, 100).Select(i => i * 10));
        Assert.Equal(100, stats.SampleCount);
        Assert.Equal(0.5, stats.TruncatedShare(500));
        Assert.Equal(0.0, stats.TruncatedShare(1000));
        Assert.Equal(950, stats.Percentile(0.95));
        Assert.Equal(1024, stats.SuggestCutoffLen(0.95));
        Assert.Equal(512, DatasetStatistics.FromLengths(Enumerable.Repeat(400, 99).Append(5000)).SuggestCutoffLen(0.99));
        Assert.Equal([(0, 9), (100, 10)], stats.Histogram(100).Take(2));
    }
}
