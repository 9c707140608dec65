using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// How much a <see cref="BatchScheduler"/> may hold at once, named as vLLM names them. The KV memory is
/// MaxNumSeqs slots of MaxModelLen tokens, allocated when the scheduler starts.
/// </summary>
public sealed record BatchLimits
{
    /// <summary>Sequences decoded together (vLLM's --max-num-seqs); more requests wait in line.</summary>
    public int MaxNumSeqs { get; init; } = 8;

    /// <summary>Prompt plus generated tokens of one sequence (vLLM's --max-model-len); null = the model's context, at most 4096.</summary>
    public int? MaxModelLen { get; init; }

    /// <summary>Prompt tokens (padded) prefilled in one forward pass (vLLM's --max-num-batched-tokens); null = max(2048, MaxModelLen).</summary>
    public int? MaxNumBatchedTokens { get; init; }

    /// <summary>The context length a model gets when --max-model-len is not given: its own, capped so the KV budget stays modest.</summary>
    public const int DefaultModelLenCap = 4096;

    public int ModelLen(ModelConfig config) => MaxModelLen ?? Math.Min(config.MaxPositionEmbeddings, DefaultModelLenCap);

    public int BatchedTokens(ModelConfig config) => MaxNumBatchedTokens ?? Math.Max(2048, ModelLen(config));

    /// <summary>Checks the values against the model; the message names the flag and what to do.</summary>
    public void Validate(ModelConfig config)
    {
        if (MaxNumSeqs < 1) throw new ArgumentException($"--max-num-seqs is {MaxNumSeqs}; it must be at least 1.");
        if (MaxModelLen is < 2) throw new ArgumentException($"--max-model-len is {MaxModelLen}; it must be at least 2 (a prompt token and an answer token).");
        if (MaxModelLen > config.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-model-len {MaxModelLen} is longer than the model's context of {config.MaxPositionEmbeddings} tokens (max_position_embeddings in config.json); lower it.");
        if (BatchedTokens(config) < ModelLen(config))
            throw new ArgumentException($"--max-num-batched-tokens {MaxNumBatchedTokens} is below --max-model-len {ModelLen(config)}; a prompt that long could never be prefilled. Raise it or lower --max-model-len.");
    }
}
