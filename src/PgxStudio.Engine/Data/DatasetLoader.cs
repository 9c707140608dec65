using PgxStudio.Engine.Sentences;
namespace PgxStudio.Engine.Data;

/// <summary>What to load: LLaMA-Factory's dataset keys.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>Keep at most this many examples of each dataset (the first ones, as LLaMA-Factory does).</summary>
    public int? MaxSamples { get; init; }
    /// <summary>Fraction (0–1) or count (&gt;1) of examples held out for evaluation.</summary>
    public double ValSize { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>"sft" keeps examples with one response; "pt" keeps examples with text; "predict" keeps every example.</summary>
    public string Stage { get; init; } = "sft";
}

/// <summary>Several datasets read, filtered and mixed (by concatenation), then split into train and validation.</summary>
public sealed record LoadedDataset(
    IReadOnlyList<Conversation> Train,
    IReadOnlyList<Conversation> Validation,
    IReadOnlyList<SkippedExample> Skipped);

public static class DatasetLoader
{
    /// <summary>Reads one registered dataset (all of it, before any filtering for a stage).</summary>
    public static (List<Conversation> Conversations, List<SkippedExample> Skipped) Read(DatasetRegistry registry, string name)
    {
        var entry = registry.Get(name);
        var path = registry.PathOf(entry);
        return ConversationReader.Read(entry, DatasetFile.ReadRows(path), path);
    }

    public static LoadedDataset Load(DatasetRegistry registry, IEnumerable<string> names, DatasetLoadOptions? options = null)
    {
        options ??= new DatasetLoadOptions();
        var all = new List<Conversation>();
        var skipped = new List<SkippedExample>();
        var list = names.Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        if (list.Count == 0) throw new DatasetException("No dataset was named; give at least one dataset from dataset_info.json.");
        foreach (var name in list)
        {
            var (conversations, bad) = Read(registry, name);
            skipped.AddRange(bad);
            var entry = registry.Get(name);
            IEnumerable<Conversation> kept = conversations;
            if (entry.NumSamples is int n) kept = Sample(conversations, n, options.Seed);
            if (options.MaxSamples is int max) kept = kept.Take(max);
            var usable = new List<Conversation>();
            foreach (var c in kept)
            {
                var reason = Unusable(c, options.Stage);
                if (reason is null) usable.Add(c); else skipped.Add(new SkippedExample(name, c.Index, reason.ToString()));
            }
            if (usable.Count == 0)
                throw new DatasetException($"Dataset '{name}' ({registry.PathOf(entry)}) has no usable examples for stage {options.Stage} after filtering.");
            all.AddRange(usable);
        }
        var (train, validation) = Split(all, options.ValSize, options.Seed);
        return new LoadedDataset(train, validation, skipped);
    }

    /// <summary>Why <paramref name="stage"/> drops an example that was read fine, or null when it keeps it.</summary>
    public static Sentence? Unusable(Conversation c, string stage) => stage switch
    {
        "pt" => c.Prompt.Count == 0 || c.Prompt[0].Content.Length == 0 ? new Sentence("it has no text") : null,
        "predict" => c.Prompt.Count % 2 == 1 ? null : new Sentence("it has {0} prompt turns, an odd number is needed", c.Prompt.Count),
        _ => c.IsValidForSupervised ? null : new Sentence("it has {0} prompt turns and {1} responses; SFT needs an odd number and one", c.Prompt.Count, c.Response.Count),
    };

    /// <summary><c>num_samples</c>: a seeded random pick (repeating the dataset when more are asked than it has).</summary>
    static IEnumerable<Conversation> Sample(List<Conversation> items, int count, int seed)
    {
        var rng = new Random(seed);
        var result = new List<Conversation>();
        while (result.Count < count && items.Count > 0)
            result.AddRange(items.OrderBy(_ => rng.Next()).Take(count - result.Count));
        return result;
    }

    /// <summary>A seeded shuffle, then the first <paramref name="valSize"/> (fraction or count) go to validation.</summary>
    public static (List<Conversation> Train, List<Conversation> Validation) Split(IReadOnlyList<Conversation> items, double valSize, int seed)
    {
        if (valSize <= 0) return (items.ToList(), []);
        var count = valSize > 1 ? (int)valSize : (int)Math.Ceiling(valSize * items.Count);
        if (count >= items.Count)
            throw new DatasetException($"val_size {valSize} leaves no training examples out of {items.Count}; lower it.");
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        var val = order.Take(count).Order().Select(i => items[i]).ToList();
        var train = order.Skip(count).Order().Select(i => items[i]).ToList();
        return (train, val);
    }
}
