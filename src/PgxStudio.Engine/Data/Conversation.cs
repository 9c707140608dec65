using PgxStudio.Engine.Templates;

namespace PgxStudio.Engine.Data;

/// <summary>
/// One example, normalized the way LLaMA-Factory's converters leave it: the prompt turns (user/assistant
/// alternating, ending with a user or observation turn), the response (one assistant turn; two — chosen then
/// rejected — for ranking data; none for pre-training text), the system prompt and the tools description.
/// </summary>
public sealed record Conversation(
    IReadOnlyList<Message> Prompt,
    IReadOnlyList<Message> Response,
    string System = "",
    string Tools = "")
{
    /// <summary>The dataset the example came from and its index in that file.</summary>
    public string Dataset { get; init; } = "";
    public int Index { get; init; }

    /// <summary>Every turn of an SFT example: the prompt then its single response.</summary>
    public IReadOnlyList<Message> Messages => [.. Prompt, .. Response.Take(1)];

    /// <summary>An SFT example has an odd number of prompt turns and exactly one response (LLaMA-Factory drops others).</summary>
    public bool IsValidForSupervised => Prompt.Count % 2 == 1 && Response.Count == 1;
}

/// <summary>An example a reader could not use, with its index in its file and why.</summary>
public sealed record SkippedExample(string Dataset, int Index, string Reason);
