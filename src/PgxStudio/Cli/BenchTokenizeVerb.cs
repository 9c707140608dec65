using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PgxStudio.Benchmarks;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench tokenize`: encoding throughput of this studio's tokenizer and, in the same run on the same lines,
/// of Hugging Face's Rust tokenizer (through Tokenizers.DotNet); the ratio is ours ÷ theirs.
/// </summary>
public static class BenchTokenizeVerb
{
    public static Command Create()
    {
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Model folder with tokenizer.json (e.g. a Qwen3 download).", Required = true };
        var corpus = new Option<FileInfo?>("--corpus") { Description = "UTF-8 text file, one document per line (default: a built-in mixed multilingual corpus)." };
        var megabytes = new Option<double>("--megabytes") { Description = "Size of the built-in corpus.", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "Timed passes over the corpus (the best is kept).", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("tokenize", "Tokenizer encode MB/s: ours vs Hugging Face's Rust tokenizer.") { tokenizer, corpus, megabytes, rounds, json };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(tokenizer)!, parse.GetValue(corpus), parse.GetValue(megabytes), parse.GetValue(rounds), parse.GetValue(json))));
        return command;
    }

    static int Run(DirectoryInfo folder, FileInfo? corpusFile, double megabytes, int rounds, bool json)
    {
        HfTokenizer ours;
        try
        {
            ours = HfTokenizer.Load(folder.FullName);
        }
        catch (TokenizerFileException e)
        {
            Console.Error.WriteLine($"pgx bench tokenize: {e.Message}");
            return 2;
        }
        var lines = corpusFile is null ? MixedCorpus.Generate(megabytes) : File.ReadAllLines(corpusFile.FullName);
        double mb = lines.Sum(l => (double)Encoding.UTF8.GetByteCount(l)) / (1024 * 1024);

        // Warm both up (caches, JIT), then keep the best of the timed rounds.
        long ourTokens = 0;
        foreach (var l in lines.Take(200)) ours.Encode(l);
        double oursSeconds = Best(rounds, () => { ourTokens = 0; foreach (var l in lines) ourTokens += ours.Encode(l).Count; });

        using var hf = new Tokenizers.DotNet.Tokenizer(vocabPath: Path.Combine(folder.FullName, "tokenizer.json"));
        long hfTokens = 0;
        foreach (var l in lines.Take(200)) hf.Encode(l);
        double hfSeconds = Best(rounds, () => { hfTokens = 0; foreach (var l in lines) hfTokens += hf.Encode(l).Length; });

        // Agreement on the same lines (the Rust tokenizer may add a BOS token per line, e.g. Llama-3's post-processor).
        int differing = lines.Take(2000).Count(l => !ours.Encode(l).SequenceEqual(hf.Encode(l).Select(i => (int)i).SkipWhile(i => i == ours.BosTokenId)));

        var result = new
        {
            benchmark = "tokenize",
            tokenizer = folder.FullName,
            corpus = corpusFile?.FullName ?? "built-in mixed multilingual",
            corpus_megabytes = Math.Round(mb, 3),
            lines = lines.Count,
            ours_mb_per_second = Math.Round(mb / oursSeconds, 3),
            ours_tokens = ourTokens,
            huggingface_mb_per_second = Math.Round(mb / hfSeconds, 3),
            huggingface_tokens = hfTokens,
            ratio_to_huggingface = Math.Round(hfSeconds / oursSeconds, 3),
            lines_checked = Math.Min(2000, lines.Count),
            lines_with_different_ids = differing,
        };
        if (json) Console.WriteLine(JsonSerializer.Serialize(result));
        else
            Console.WriteLine($"{mb:0.00} MB, {lines.Count} lines: ours {result.ours_mb_per_second} MB/s, Hugging Face (Rust) {result.huggingface_mb_per_second} MB/s, ratio {result.ratio_to_huggingface}; {differing} of {result.lines_checked} lines differ");
        return 0;
    }

    static double Best(int rounds, Action pass)
    {
        double best = double.MaxValue;
        for (int i = 0; i < Math.Max(1, rounds); i++)
        {
            var clock = Stopwatch.StartNew();
            pass();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
