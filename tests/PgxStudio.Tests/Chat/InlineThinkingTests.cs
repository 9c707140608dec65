using PgxStudio.Chat;

namespace PgxStudio.Tests.Chat;

public class InlineThinkingTests
{
    static (string Text, string Thinking) Run(params string[] pieces)
    {
        var splitter = new InlineThinking();
        var all = pieces.SelectMany(splitter.Split).ToList();
        all.AddRange(splitter.Flush());
        return (string.Concat(all.Select(p => p.Text)), string.Concat(all.Select(p => p.Thinking)));
    }

    [Fact]
    public void Reasoning_between_think_tags_is_thinking_and_the_rest_is_the_answer() =>
        Assert.Equal(("The answer is 4.", "2+2 is 4"), Run("<think>2+2 is 4</think>The answer is 4."));

    [Fact]
    public void Tags_cut_over_several_pieces_are_still_found() =>
        Assert.Equal(("Hi!", "hmm"), Run("<th", "ink>h", "mm</", "thi", "nk>H", "i!"));

    [Fact]
    public void A_lone_angle_bracket_at_the_end_is_text_not_a_tag() =>
        Assert.Equal(("a < b and c <", ""), Run("a < b and c <"));

    [Fact]
    public void Text_without_tags_passes_through_as_it_streams()
    {
        var splitter = new InlineThinking();
        Assert.Equal("Hello", splitter.Split("Hello").Single().Text);
        Assert.Equal(" world", splitter.Split(" world").Single().Text);
    }
}
