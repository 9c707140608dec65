using PgxStudio.Engine.Sentences;
using System.Collections.Concurrent;
using PgxStudio.Engine.Data;

namespace PgxStudio.Training;

/// <summary>
/// Whether a registered dataset has any example a stage can use (an sft run needs answers; plain text is for pt), so
/// the Train form says so at its field instead of the run failing in the queue. A dataset is read once per version of
/// its file: the form asks on every change.
/// </summary>
public sealed class DatasetStageFit
{
    readonly ConcurrentDictionary<(string Path, DateTime Written, long Length, string Name, string Stage), Sentence?> _verdicts = new();

    /// <summary>Why <paramref name="stage"/> can use no example of <paramref name="name"/>, or null when some are usable (or it cannot be read here: training reports that).</summary>
    public Sentence? Problem(DatasetRegistry registry, string name, string stage)
    {
        DatasetEntry entry;
        string path;
        try
        {
            entry = registry.Get(name);
            path = registry.PathOf(entry);
        }
        catch (DatasetException) { return null; }
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        return _verdicts.GetOrAdd((file.FullName, file.LastWriteTimeUtc, file.Length, name, stage), _ => Judge(registry, entry, stage));
    }

    static Sentence? Judge(DatasetRegistry registry, DatasetEntry entry, string stage)
    {
        List<Conversation> conversations;
        try { (conversations, _) = DatasetLoader.Read(registry, entry.Name); }
        catch (DatasetException) { return null; }
        if (conversations.Count == 0 || conversations.Any(c => DatasetLoader.Unusable(c, stage) is null)) return null;
        bool plainText = conversations.All(c => c.Response.Count == 0);
        return stage == "sft" && plainText
            ? new Sentence("dataset '{0}' is plain text without answers, which an sft run cannot learn from: choose stage pt for it, or an instruction dataset.", entry.Name)
            : new Sentence("dataset '{0}' has no example stage {1} can use: {2}.", entry.Name, stage, DatasetLoader.Unusable(conversations[0], stage));
    }
}
