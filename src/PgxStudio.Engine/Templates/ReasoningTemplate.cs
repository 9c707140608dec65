using System.Text.RegularExpressions;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Templates;

/// <summary>
/// A template whose assistant turns may open with a thought (Qwen3's <c>&lt;think&gt;…&lt;/think&gt;</c>). As in
/// LLaMA-Factory: an assistant turn without a thought gets an empty one (<c>&lt;think&gt;\n\n&lt;/think&gt;\n\n</c>)
/// at the start of its response when thinking is enabled, or at the end of its prompt when it is not (where
/// existing thoughts are removed as well); prompts for prediction keep only the last turn's thought.
/// Whether a turn has a thought is asked with the bare tags (<c>&lt;think&gt;</c>, <c>&lt;/think&gt;</c>), while
/// removing one needs the full words with their newlines, exactly as LLaMA-Factory's ReasoningTemplate does: a
/// thought written inline (<c>&lt;think&gt;…&lt;/think&gt;</c> without the newlines) is kept and gets no empty one.
/// </summary>
public sealed class ReasoningTemplate : ChatTemplate
{
    public (string Open, string Close) ThoughtWords { get; init; } = ("<think>\n", "\n</think>\n\n");
    public bool EnableThinking { get; init; } = true;

    /// <summary>This template with LLaMA-Factory's <c>enable_thinking</c> set to <paramref name="enable"/>.</summary>
    public ReasoningTemplate WithThinking(bool enable) => new()
    {
        Name = Name, User = User, Assistant = Assistant, System = System, Observation = Observation, Function = Function,
        Prefix = Prefix, DefaultSystem = DefaultSystem, StopWords = StopWords, ReplaceEos = ReplaceEos,
        ThoughtWords = ThoughtWords, EnableThinking = enable,
    };

    string EmptyThought => ThoughtWords.Open + ThoughtWords.Close;

    bool HasThought(string content) => content.Contains(ThoughtWords.Open.Trim()) || content.Contains(ThoughtWords.Close.Trim());

    string RemoveThought(string content) =>
        Regex.Replace(content, Regex.Escape(ThoughtWords.Open) + "(.*?)" + Regex.Escape(ThoughtWords.Close), "", RegexOptions.Singleline)
            .TrimStart('\n');

    List<int> ThoughtIds(ITokenizer tokenizer) => tokenizer.Encode(EmptyThought).ToList();

    public override List<(List<int> Prompt, List<int> Response)> EncodeMultiTurn(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        RequireEven(messages);
        var msgs = messages.ToList();
        if (!EnableThinking)
            for (var i = 1; i < msgs.Count; i += 2) msgs[i] = msgs[i] with { Content = RemoveThought(msgs[i].Content) };
        var encoded = EncodeMessages(tokenizer, msgs, system);
        for (var i = 0; i < msgs.Count; i += 2)
        {
            if (HasThought(msgs[i + 1].Content)) continue;
            if (!EnableThinking) encoded[i].AddRange(ThoughtIds(tokenizer));
            else encoded[i + 1].InsertRange(0, ThoughtIds(tokenizer));
        }
        return Enumerable.Range(0, encoded.Count / 2).Select(i => (encoded[2 * i], encoded[2 * i + 1])).ToList();
    }

    public override (List<int> Prompt, List<int> Response) EncodeOneTurn(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        var msgs = OneTurnMessages(messages);
        var encoded = EncodeMessages(tokenizer, msgs, system);
        var prompt = encoded.Take(encoded.Count - 1).SelectMany(x => x).ToList();
        var response = encoded[^1];
        if (!HasThought(msgs[^1].Content))
        {
            if (!EnableThinking) prompt.AddRange(ThoughtIds(tokenizer));
            else response.InsertRange(0, ThoughtIds(tokenizer));
        }
        return (prompt, response);
    }

    List<Message> OneTurnMessages(IReadOnlyList<Message> messages)
    {
        var msgs = messages.ToList();
        for (var i = 1; i < msgs.Count - 2; i += 2) msgs[i] = msgs[i] with { Content = RemoveThought(msgs[i].Content) };
        if (!EnableThinking) msgs[^1] = msgs[^1] with { Content = RemoveThought(msgs[^1].Content) };
        return msgs;
    }

    /// <summary>The training text: assistant turns lose their thought when thinking is off, then those without one get
    /// the empty one (in the response when thinking, closing the prompt when not: the same place in the text).</summary>
    protected override IReadOnlyList<Message> PrepareForRender(IReadOnlyList<Message> messages) =>
        messages.Select(m =>
        {
            if (m.Role != Role.Assistant) return m;
            var content = EnableThinking ? m.Content : RemoveThought(m.Content);
            return m with { Content = HasThought(content) ? content : EmptyThought + content };
        }).ToList();

    public override string RenderGenerationPrompt(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        var stripped = OneTurnMessages([.. messages, Message.Assistant("")]);
        var text = base.RenderGenerationPrompt(tokenizer, stripped.Take(stripped.Count - 1).ToList(), system);
        return EnableThinking ? text : text + EmptyThought;
    }
}
