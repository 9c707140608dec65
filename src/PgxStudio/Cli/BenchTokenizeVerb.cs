using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench tokenize`: encoding MB/s of this studio's tokenizer and, in the same run on the same text, of
/// Hugging Face's Rust tokenizer (through Tokenizers.DotNet), with the ratio ours ÷ theirs. Both are timed on a
/// first pass (empty caches) and as the best of later passes (warm), and their ids are compared line by line.
/// </summary>
public static class BenchTokenizeVerb
{
    public static Command Create()
    {
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Model folder with tokenizer.json, e.g. a Qwen3 download.", Required = true };
        var corpus = new Option<FileSystemInfo?>("--corpus") { Description = "A text file (one document per line), a .json/.jsonl dataset, or a folder of them (default: the repository's real datasets, English, Chinese and tool-call JSON)." };
        var megabytes = new Option<double>("--megabytes") { Description = "How much of the corpus to encode.", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Warm passes after the first (the best is kept).", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("tokenize", "Tokenizer encode MB/s: ours against Hugging Face's Rust tokenizer on the same text.") { tokenizer, corpus, megabytes, rounds, json };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(tokenizer)!, parse.GetValue(corpus), parse.GetValue(megabytes), parse.GetValue(rounds), parse.GetValue(json))));
        return command;
    }

    /// <summary>Speed of one tokenizer on the corpus: MB/s on the first pass (empty caches) and warm (best later pass).</summary>
    record Figures(double load_seconds, double first_pass_mb_per_second, double warm_mb_per_second, long tokens);

    static int Run(DirectoryInfo folder, FileSystemInfo? corpusPath, double megabytes, int rounds, bool json)
    {
        var source = corpusPath?.FullName ?? DefaultCorpus();
        if (source is null) return Fail("no corpus given and the repository's shared/datasets/real folder was not found; give --corpus FILE.");
        if (!File.Exists(source) && !Directory.Exists(source)) return Fail($"{source} does not exist.");
        if (megabytes <= 0 || rounds < 1) return Fail("--megabytes must be above 0 and --rounds at least 1.");
        var lines = Corpus(source, megabytes);
        if (lines.Count == 0) return Fail($"{source} holds no text.");
        double mb = lines.Sum(l => (double)Encoding.UTF8.GetByteCount(l)) / 1e6;

        HfTokenizer ours;
        double oursLoad;
        try
        {
            // A throwaway tokenizer compiles the code paths first, so the first pass measures empty caches, not the JIT.
            var jit = HfTokenizer.Load(folder.FullName);
            foreach (var line in lines.Take(100)) jit.Encode(line);
            var clock = Stopwatch.StartNew();
            ours = HfTokenizer.Load(folder.FullName);
            oursLoad = clock.Elapsed.TotalSeconds;
        }
        catch (TokenizerFileException e)
        {
            return Fail(e.Message);
        }
        var oursFigures = Measure(lines, mb, rounds, oursLoad, l => ours.Encode(l).Count);

        Figures? theirs = null;
        string? unavailable = null;
        int? differing = null;
        try
        {
            FindNativeLibrary();
            var clock = Stopwatch.StartNew();
            using var rust = new Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folder.FullName, "tokenizer.json"));
            theirs = Measure(lines, mb, rounds, clock.Elapsed.TotalSeconds, l => rust.Encode(l).Length);
            // The Rust tokenizer runs the post-processor (a Llama-3 one may add <|begin_of_text|>): learn what it
            // adds around a plain "a" and compare without that.
            var (before, after) = Added(ours.Encode("a"), rust.Encode("a"));
            differing = lines.Count(l => !ours.Encode(l).SequenceEqual(rust.Encode(l).Skip(before).SkipLast(after).Select(i => (int)i)));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            unavailable = $"Hugging Face's Rust tokenizer could not be loaded ({e.GetType().Name}): Tokenizers.DotNet needs its native package Tokenizers.DotNet.runtime.{Rid()} next to the program or in the NuGet cache.";
        }
        double? Ratio(Func<Figures, double> speed) => theirs is null ? null : Math.Round(speed(oursFigures) / speed(theirs), 2);

        var result = new
        {
            benchmark = "tokenize",
            tokenizer = folder.FullName,
            corpus = source,
            corpus_megabytes = Math.Round(mb, 3),
            lines = lines.Count,
            machine = new { cores = Environment.ProcessorCount, architecture = RuntimeInformation.ProcessArchitecture.ToString(), runtime = RuntimeInformation.FrameworkDescription },
            ours = oursFigures,
            huggingface = theirs,
            ratio_warm = Ratio(f => f.warm_mb_per_second),
            ratio_first_pass = Ratio(f => f.first_pass_mb_per_second),
            lines_with_different_ids = differing,
            huggingface_unavailable = unavailable,
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        Console.WriteLine($"{mb:0.00} MB in {lines.Count} lines from {source}");
        Console.WriteLine(Line("ours", oursFigures));
        if (theirs is null)
        {
            Console.WriteLine(unavailable);
            return 0;
        }
        Console.WriteLine(Line("Hugging Face", theirs));
        Console.WriteLine($"ours/theirs: {result.ratio_warm}x warm, {result.ratio_first_pass}x first pass; {differing} of {lines.Count} lines have different ids");
        return 0;
    }

    static string Line(string who, Figures f) =>
        $"{who,-13} {f.warm_mb_per_second,8:0.00} MB/s warm, {f.first_pass_mb_per_second,8:0.00} MB/s first pass, {f.tokens} tokens, loaded in {f.load_seconds:0.00} s";

    static Figures Measure(List<string> lines, double mb, int rounds, double loadSeconds, Func<string, int> encode)
    {
        var (first, warm, tokens) = Time(lines, rounds, encode);
        return new Figures(Math.Round(loadSeconds, 3), Math.Round(mb / first, 2), Math.Round(mb / warm, 2), tokens);
    }

    /// <summary>Seconds for the first pass and the best later pass, and the tokens of one pass.</summary>
    static (double Cold, double Warm, long Tokens) Time(List<string> lines, int rounds, Func<string, int> encode)
    {
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        foreach (var line in lines) tokens += encode(line);
        double cold = clock.Elapsed.TotalSeconds, warm = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            clock.Restart();
            foreach (var line in lines) encode(line);
            warm = Math.Min(warm, clock.Elapsed.TotalSeconds);
        }
        return (cold, warm, tokens);
    }

    /// <summary>How many ids the Rust tokenizer's post-processor puts before and after the ids of a text.</summary>
    static (int Before, int After) Added(IReadOnlyList<int> ours, uint[] theirs)
    {
        for (int before = 0; before + ours.Count <= theirs.Length; before++)
            if (theirs.Skip(before).Take(ours.Count).Select(i => (int)i).SequenceEqual(ours)) return (before, theirs.Length - before - ours.Count);
        return (0, 0);
    }

    /// <summary>Documents from each file in turn, so the text stays mixed, up to the size asked for.</summary>
    static List<string> Corpus(string source, double megabytes)
    {
        var files = Directory.Exists(source)
            ? Directory.EnumerateFiles(source).Where(f => f.EndsWith(".json") || f.EndsWith(".jsonl") || f.EndsWith(".txt")).Where(f => !f.EndsWith("dataset_info.json")).Order().ToList()
            : [source];
        var queues = files.Select(f => new Queue<string>(Documents(f))).Where(q => q.Count > 0).ToList();
        var lines = new List<string>();
        double limit = megabytes * 1e6, size = 0;
        while (size < limit && queues.Any(q => q.Count > 0))
            foreach (var queue in queues.Where(q => q.Count > 0))
            {
                var line = queue.Dequeue();
                lines.Add(line);
                size += Encoding.UTF8.GetByteCount(line);
            }
        return lines;
    }

    /// <summary>A .txt file's lines, or every string inside a .json/.jsonl dataset (instructions, answers, tool JSON).</summary>
    static IEnumerable<string> Documents(string file)
    {
        if (file.EndsWith(".txt")) return File.ReadLines(file).Where(l => l.Length > 0).ToList();
        var strings = new List<string>();
        try
        {
            if (file.EndsWith(".jsonl"))
                foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0)) Collect(JsonDocument.Parse(line).RootElement, strings);
            else
                Collect(JsonDocument.Parse(File.ReadAllBytes(file)).RootElement, strings);
        }
        catch (JsonException)
        {
            return File.ReadLines(file).Where(l => l.Length > 0).ToList(); // not JSON after all: plain lines
        }
        return strings;

        static void Collect(JsonElement e, List<string> into)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String when e.GetString() is { Length: > 0 } s: into.Add(s); break;
                case JsonValueKind.Array: foreach (var x in e.EnumerateArray()) Collect(x, into); break;
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Collect(p.Value, into); break;
            }
        }
    }

    /// <summary>The repository's real datasets (../shared/datasets/real beside the checkout), when run from inside it.</summary>
    static string? DefaultCorpus()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln")) && Directory.Exists(Path.Combine(dir.FullName, "..", "shared", "datasets", "real")))
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", "real"));
        return null;
    }

    static bool _resolverSet;

    /// <summary>Tokenizers.DotNet's native library comes in a separate per-platform package that the project does
    /// not reference; look for it next to the program first, then in the NuGet cache.</summary>
    static void FindNativeLibrary()
    {
        if (_resolverSet) return;
        _resolverSet = true;
        NativeLibrary.SetDllImportResolver(typeof(Tokenizers.DotNet.Tokenizer).Assembly, (name, assembly, searchPath) =>
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var package = Path.Combine(cache, $"tokenizers.dotnet.runtime.{Rid()}");
            if (!Directory.Exists(package)) return IntPtr.Zero;
            foreach (var file in Directory.EnumerateFiles(package, $"*{name}*", SearchOption.AllDirectories).Where(f => f.Contains($"{Rid()}{Path.DirectorySeparatorChar}native")).OrderDescending())
                if (NativeLibrary.TryLoad(file, out handle)) return handle;
            return IntPtr.Zero;
        });
    }

    static string Rid() =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    static int Fail(string message)
    {
        Console.Error.WriteLine($"pgx bench tokenize: {message}");
        return 2;
    }
}
