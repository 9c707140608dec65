using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Benchmarks;

/// <summary>
/// Prompts for a serve benchmark: synthetic ones of a given token length (<see cref="SyntheticPrompts"/>), or the
/// first user turn of each example of a dataset registered in data/dataset_info.json, read by the same loader as
/// training (alpaca: instruction + input; sharegpt and openai: the first user message).
/// </summary>
public static class BenchmarkPrompts
{
    /// <summary>Exactly <paramref name="tokens"/> tokens each by <paramref name="tokenizer"/> when given, else about that many by chars/4.</summary>
    public static SyntheticPrompts Synthetic(int tokens, int count, ITokenizer? tokenizer = null, string? tokenizerName = null) =>
        tokenizer is null ? SyntheticPrompts.Estimated(tokens, count) : SyntheticPrompts.Exact(tokens, count, tokenizer, tokenizerName ?? "model's");

    /// <summary>The tokenizer of a model folder for exact prompt lengths; a folder without tokenizer.json is one sentence.</summary>
    public static HfTokenizer Tokenizer(string folder)
    {
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
            throw new InvalidDataException($"{folder} has no tokenizer.json; name the folder of the model the endpoint serves, or leave the tokenizer out to estimate lengths by chars/4.");
        try { return HfTokenizer.Load(folder); }
        catch (TokenizerFileException e) { throw new InvalidDataException(e.Message); }
    }

    /// <summary>Up to <paramref name="count"/> prompts from dataset <paramref name="name"/>, cycled when it has fewer.</summary>
    public static IReadOnlyList<string> FromDataset(string dataDirectory, string name, int count)
    {
        DatasetRegistry registry;
        try { registry = DatasetRegistry.Load(dataDirectory); }
        catch (DatasetException e) { throw new InvalidDataException(e.Message, e); }
        if (!File.Exists(registry.InfoPath))
            throw new InvalidDataException($"{registry.InfoPath} does not exist; pass --data-dir with the folder holding dataset_info.json.");
        if (registry.Entries.All(e => e.Name != name))
            throw new InvalidDataException($"{registry.InfoPath} has no dataset \"{name}\"; it has {string.Join(", ", registry.Entries.Select(e => e.Name).Take(20))}.");
        List<Conversation> conversations;
        try { (conversations, _) = DatasetLoader.Read(registry, name); }
        catch (DatasetException e) { throw new InvalidDataException(e.Message, e); }
        var prompts = conversations
            .Select(c => c.Prompt.FirstOrDefault(m => m.Role == Role.User)?.Content)
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Take(count)
            .Select(p => p!)
            .ToList();
        if (prompts.Count == 0)
            throw new InvalidDataException($"{registry.PathOf(registry.Get(name))} (dataset \"{name}\") has no example with a user prompt.");
        return Enumerable.Range(0, count).Select(i => prompts[i % prompts.Count]).ToList();
    }
}
