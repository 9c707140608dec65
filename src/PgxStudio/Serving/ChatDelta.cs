namespace PgxStudio.Serving;

/// <summary>Token counts of one completion, as OpenAI's `usage` reports them.</summary>
public sealed record ChatUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// One piece of a streamed reply: newly decoded text and/or reasoning text (a thinking model's &lt;think&gt; part).
/// The final piece sets <see cref="FinishReason"/> ("stop" or "length") and <see cref="Usage"/>; it may carry text too.
/// </summary>
public sealed record ChatDelta(string? Text = null, string? Reasoning = null, string? FinishReason = null, ChatUsage? Usage = null)
{
    public static class Finish
    {
        public const string Stop = "stop";
        public const string Length = "length";
    }
}
