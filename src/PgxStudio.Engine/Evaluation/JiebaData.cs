using System.Collections.Concurrent;
using System.Diagnostics;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// jieba's own data, read at run time from a jieba install (never shipped here): the prefix dictionary built
/// from dict.txt the way jieba's gen_pfdict does, and the HMM tables of finalseg/prob_*.py. Built once per folder
/// and cached for the process.
/// </summary>
public sealed class JiebaData
{
    /// <summary>Where Debian's python3-jieba and pip installs put jieba; searched in order.</summary>
    public static readonly string[] KnownInstallFolders =
    [
        "/usr/lib/python3/dist-packages/jieba",
        "/usr/local/lib/python3/dist-packages/jieba",
    ];

    static readonly ConcurrentDictionary<string, Lazy<JiebaData>> Cache = new();

    public string Folder { get; }
    /// <summary>Word (and every word prefix, at 0) to its frequency.</summary>
    internal Dictionary<string, int> Frequencies { get; }
    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> FrequencyLookup { get; }
    internal double LogTotal { get; }
    internal HmmTables Hmm { get; }
    public TimeSpan LoadTime { get; }

    JiebaData(string folder)
    {
        var watch = Stopwatch.StartNew();
        Folder = folder;
        (Frequencies, long total) = ReadPrefixDictionary(Path.Combine(folder, "dict.txt"));
        FrequencyLookup = Frequencies.GetAlternateLookup<ReadOnlySpan<char>>();
        LogTotal = Math.Log(total);
        Hmm = HmmTables.Read(Path.Combine(folder, "finalseg"));
        LoadTime = watch.Elapsed;
    }

    /// <summary>The data in <paramref name="folder"/> (a jieba package folder holding dict.txt and finalseg/).</summary>
    public static JiebaData Load(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (!File.Exists(Path.Combine(folder, "dict.txt")))
            throw new FileNotFoundException($"{folder} has no dict.txt; point the jieba path at a jieba package folder (e.g. /usr/lib/python3/dist-packages/jieba).");
        var lazy = Cache.GetOrAdd(folder, f => new Lazy<JiebaData>(() => new JiebaData(f)));
        try { return lazy.Value; }
        catch { Cache.TryRemove(folder, out _); throw; }
    }

    /// <summary>The first jieba install found on this machine (PYTHONPATH, then the usual folders), or null.</summary>
    public static string? FindInstall()
    {
        var candidates = new List<string>();
        foreach (var entry in (Environment.GetEnvironmentVariable("PYTHONPATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            candidates.Add(Path.Combine(entry, "jieba"));
        candidates.AddRange(KnownInstallFolders);
        foreach (var lib in new[] { "/usr/lib", "/usr/local/lib" })
        {
            if (!Directory.Exists(lib)) continue;
            foreach (var py in Directory.EnumerateDirectories(lib, "python3*"))
            {
                candidates.Add(Path.Combine(py, "site-packages", "jieba"));
                candidates.Add(Path.Combine(py, "dist-packages", "jieba"));
            }
        }
        return candidates.FirstOrDefault(c =>
            File.Exists(Path.Combine(c, "dict.txt")) && File.Exists(Path.Combine(c, "finalseg", "prob_emit.py")));
    }

    // jieba's gen_pfdict: the total counts every line (a repeated word counts twice, the last frequency wins),
    // and every prefix of a word is present with frequency 0 so the DAG walk knows when to stop.
    static (Dictionary<string, int>, long) ReadPrefixDictionary(string path)
    {
        var freq = new Dictionary<string, int>(700_000, StringComparer.Ordinal);
        long total = 0;
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            int end = space < 0 ? -1 : line.IndexOf(' ', space + 1);
            if (space <= 0 || !int.TryParse(end < 0 ? line.AsSpan(space + 1) : line.AsSpan(space + 1, end - space - 1), out int f))
                throw new InvalidDataException($"{path} line {lineNo} is not 'word frequency [tag]'; fix or replace the dictionary.");
            var word = line[..space];
            freq[word] = f;
            total += f;
            for (int i = 1; i < word.Length; i++)
                freq.TryAdd(word[..i], 0);
        }
        return (freq, total);
    }
}
