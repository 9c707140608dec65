using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Data;

/// <summary>Encoded train and validation examples, and the loading report behind them.</summary>
public sealed record EncodedDataset(IReadOnlyList<EncodedExample> Train, IReadOnlyList<EncodedExample> Validation, LoadedDataset Source);

/// <summary>From dataset names to encoded examples and batches: what a training run needs.</summary>
public static class TrainingData
{
    /// <summary>
    /// Loads <paramref name="datasets"/> (mixed by concatenation, split by val_size), then encodes them for
    /// <paramref name="stage"/>: "sft" (optionally packed) or "pt" (blocks of cutoff_len).
    /// </summary>
    public static EncodedDataset Build(DatasetRegistry registry, IEnumerable<string> datasets, string stage,
        ChatTemplate template, ITokenizer tokenizer, SupervisedOptions options, DatasetLoadOptions? load = null, bool packing = false)
    {
        if (stage is not ("sft" or "pt"))
            throw new DatasetException($"Stage '{stage}' is not supported for training data; use sft or pt.");
        var loaded = DatasetLoader.Load(registry, datasets, (load ?? new DatasetLoadOptions()) with { Stage = stage });
        List<EncodedExample> Encode(IReadOnlyList<Conversation> items)
        {
            if (stage == "pt") return PretrainEncoder.Encode(items, template, tokenizer, options.CutoffLen);
            var encoded = items.Select(c => SupervisedEncoder.Encode(c, template, tokenizer, options)).ToList();
            return packing ? SupervisedEncoder.Pack(encoded, options.CutoffLen) : encoded;
        }
        var train = Encode(loaded.Train);
        if (train.Count == 0)
            throw new DatasetException($"Datasets {string.Join(", ", datasets)} give no training examples at cutoff_len {options.CutoffLen}; add text or lower cutoff_len.");
        return new EncodedDataset(train, Encode(loaded.Validation), loaded);
    }

    /// <summary>Batches of <paramref name="batchSize"/> examples, in a seeded shuffled order when a seed is given.</summary>
    public static IEnumerable<IReadOnlyList<EncodedExample>> Batches(IReadOnlyList<EncodedExample> examples, int batchSize, int? shuffleSeed = null)
    {
        var order = Enumerable.Range(0, examples.Count).ToArray();
        if (shuffleSeed is int seed) new Random(seed).Shuffle(order);
        return order.Chunk(batchSize).Select(chunk => (IReadOnlyList<EncodedExample>)chunk.Select(i => examples[i]).ToList());
    }
}
