using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Templates;

/// <summary>
/// A chat template with LLaMA-Factory's semantics: each message is formatted on its own; the first also gets the
/// prefix and the system prompt (the template's default when none is given). Training pairs each user (or
/// observation) turn with the following assistant (or function) turn.
/// </summary>
public class ChatTemplate
{
    public required string Name { get; init; }
    public IReadOnlyList<Slot> User { get; init; } = [Slot.T("{{content}}")];
    public IReadOnlyList<Slot> Assistant { get; init; } = [Slot.T("{{content}}"), Slot.EosToken];
    /// <summary>Defaults to the bare content, as in LLaMA-Factory (not to the user format).</summary>
    public IReadOnlyList<Slot>? System { get; init; }
    /// <summary>Defaults to the user format.</summary>
    public IReadOnlyList<Slot>? Observation { get; init; }
    /// <summary>Defaults to the assistant format.</summary>
    public IReadOnlyList<Slot>? Function { get; init; }
    public IReadOnlyList<Slot> Prefix { get; init; } = [];
    public string DefaultSystem { get; init; } = "";
    public IReadOnlyList<string> StopWords { get; init; } = [];
    /// <summary>When set, the first stop word replaces the tokenizer's eos (what LLaMA-Factory's replace_eos does).</summary>
    public bool ReplaceEos { get; init; }

    /// <summary>The eos id this template trains and stops with.</summary>
    public int? EosTokenId(ITokenizer tokenizer)
    {
        if (ReplaceEos && StopWords.Count > 0 && tokenizer.TokenToId(StopWords[0]) is int id) return id;
        return tokenizer.EosTokenId;
    }

    /// <summary>The text of the eos token this template uses (null when the tokenizer has none).</summary>
    public string? EosToken(ITokenizer tokenizer)
    {
        if (ReplaceEos && StopWords.Count > 0) return StopWords[0];
        return tokenizer.EosTokenId is int id ? tokenizer.Decode([id]) : null;
    }

    /// <summary>Ids that end generation: the eos plus every stop word that is one token.</summary>
    public IReadOnlyList<int> StopTokenIds(ITokenizer tokenizer)
    {
        var ids = new List<int>();
        if (EosTokenId(tokenizer) is int eos) ids.Add(eos);
        if (tokenizer.EosTokenId is int raw && !ids.Contains(raw)) ids.Add(raw);
        foreach (var word in StopWords)
            if (tokenizer.TokenToId(word) is int id && !ids.Contains(id)) ids.Add(id);
        return ids;
    }

    /// <summary>Stop strings for generation (the stop words, or the eos text when there are none).</summary>
    public IReadOnlyList<string> StopStrings(ITokenizer tokenizer)
    {
        var words = new List<string>(StopWords);
        if (EosToken(tokenizer) is { } eos && !words.Contains(eos)) words.Add(eos);
        return words;
    }

    /// <summary>Each message's slots, with content filled in.</summary>
    protected virtual List<List<Slot>> Layout(IReadOnlyList<Message> messages, string? system)
    {
        system = string.IsNullOrEmpty(system) ? DefaultSystem : system;
        var result = new List<List<Slot>>();
        for (var i = 0; i < messages.Count; i++)
        {
            var slots = new List<Slot>();
            if (i == 0)
            {
                slots.AddRange(Prefix);
                if (system.Length > 0) slots.AddRange(Fill(System ?? [Slot.T("{{content}}")], system));
            }
            var m = messages[i];
            slots.AddRange(m.Role switch
            {
                Role.User => Fill(User, m.Content),
                Role.Assistant => Fill(Assistant, m.Content),
                Role.Observation => Fill(Observation ?? User, m.Content),
                Role.Function => Fill(Function ?? Assistant, m.Content),
                _ => throw new ArgumentException($"Message {i} has role {m.Role}; the system prompt goes in the system argument, not in the messages."),
            });
            result.Add(slots);
        }
        return result;
    }

    static IEnumerable<Slot> Fill(IReadOnlyList<Slot> format, string content) =>
        format.Select(s => s is Slot.Text t ? Slot.T(t.Value.Replace("{{content}}", content)) : s);

    protected List<int> ToIds(ITokenizer tokenizer, IEnumerable<Slot> slots)
    {
        var ids = new List<int>();
        foreach (var slot in slots)
        {
            switch (slot)
            {
                case Slot.Text { Value.Length: > 0 } t: ids.AddRange(tokenizer.Encode(t.Value)); break;
                case Slot.Bos when tokenizer.BosTokenId is int bos: ids.Add(bos); break;
                case Slot.Eos when EosTokenId(tokenizer) is int eos: ids.Add(eos); break;
            }
        }
        return ids;
    }

    string ToText(ITokenizer tokenizer, IEnumerable<Slot> slots) => string.Concat(slots.Select(s => s switch
    {
        Slot.Text t => t.Value,
        Slot.Bos => tokenizer.BosTokenId is int b ? tokenizer.Decode([b]) : "",
        Slot.Eos => EosToken(tokenizer) ?? "",
        _ => "",
    }));

    /// <summary>Ids of every message, one list per message.</summary>
    public virtual List<List<int>> EncodeMessages(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null) =>
        Layout(messages, system).Select(s => ToIds(tokenizer, s)).ToList();

    /// <summary>(prompt ids, response ids) per turn, for training. Needs an even number of messages.</summary>
    public virtual List<(List<int> Prompt, List<int> Response)> EncodeMultiTurn(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        RequireEven(messages);
        var encoded = EncodeMessages(tokenizer, messages, system);
        return Enumerable.Range(0, encoded.Count / 2).Select(i => (encoded[2 * i], encoded[2 * i + 1])).ToList();
    }

    /// <summary>Every message but the last as the prompt; the last as the response (prediction and evaluation).</summary>
    public virtual (List<int> Prompt, List<int> Response) EncodeOneTurn(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        var encoded = EncodeMessages(tokenizer, messages, system);
        return (encoded.Take(encoded.Count - 1).SelectMany(x => x).ToList(), encoded.Count > 0 ? encoded[^1] : []);
    }

    /// <summary>The prompt ids for generating the next assistant turn after <paramref name="messages"/> (which end with a user turn).</summary>
    public List<int> EncodeGenerationPrompt(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null) =>
        EncodeOneTurn(tokenizer, [.. messages, Message.Assistant("")], system).Prompt;

    /// <summary>The text every message renders to, joined (what the model sees).</summary>
    public string Render(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null) =>
        string.Concat(Layout(PrepareForRender(messages), system).Select(s => ToText(tokenizer, s)));

    /// <summary>The text of the generation prompt: every turn plus the assistant prefix.</summary>
    public virtual string RenderGenerationPrompt(ITokenizer tokenizer, IReadOnlyList<Message> messages, string? system = null)
    {
        var layout = Layout([.. messages, Message.Assistant("")], system);
        return string.Concat(layout.Take(layout.Count - 1).Select(s => ToText(tokenizer, s)));
    }

    protected virtual IReadOnlyList<Message> PrepareForRender(IReadOnlyList<Message> messages) => messages;

    protected static void RequireEven(IReadOnlyList<Message> messages)
    {
        if (messages.Count == 0 || messages.Count % 2 != 0)
            throw new ArgumentException($"A training conversation needs user/assistant pairs, but it has {messages.Count} messages.");
    }
}
