namespace PgxStudio.Engine.Inference;

/// <summary>How to pick tokens. Temperature 0 (or DoSample false) is greedy decoding.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 256;
    public double Temperature { get; init; } = 0.7;
    public double TopP { get; init; } = 1.0;
    public int TopK { get; init; }
    public double RepetitionPenalty { get; init; } = 1.0;
    public bool DoSample { get; init; } = true;
    public IReadOnlyCollection<int> StopTokenIds { get; init; } = [];
    public long? Seed { get; init; }

    /// <summary>
    /// Ids at or above this are never chosen: embedding tables are padded past the tokenizer's vocabulary
    /// (Qwen3: 151,936 rows for 151,669 tokens) and those rows decode to nothing.
    /// </summary>
    public int? VocabularyLimit { get; init; }

    public bool Greedy => !DoSample || Temperature <= 0;

    /// <summary>Checks the values a user typed; the message names the setting.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"max_new_tokens is {MaxNewTokens}; it must be at least 1.");
        if (Temperature < 0) throw new ArgumentException($"temperature is {Temperature}; it must be 0 (greedy) or more.");
        if (TopP is <= 0 or > 1) throw new ArgumentException($"top_p is {TopP}; it must be in (0, 1].");
        if (TopK < 0) throw new ArgumentException($"top_k is {TopK}; it must be 0 (off) or more.");
        if (RepetitionPenalty <= 0) throw new ArgumentException($"repetition_penalty is {RepetitionPenalty}; it must be positive.");
    }
}
