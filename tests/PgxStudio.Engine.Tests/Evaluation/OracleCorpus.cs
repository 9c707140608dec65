using System.Diagnostics;
using System.Text.Json;

namespace PgxStudio.Engine.Tests.Evaluation;

/// <summary>
/// Hundreds of predict/label pairs (huanhuan, alpaca_zh_demo and some alpaca_en_demo outputs, near-misses made from them, and
/// hand-written mixed Chinese/English edge cases) scored once by oracle.py (NLTK, jieba, rouge_reference.py).
/// </summary>
public sealed class OracleCorpus
{
    public sealed record Expected(string[] predict_words, string[] label_words, double bleu, double rouge1, double rouge2, double rougel);

    public List<(string Predict, string Label)> Pairs { get; } = [];
    public List<Expected> Results { get; }
    public Dictionary<string, double> Means { get; }
    sealed record OracleOutput(List<Expected> pairs, Dictionary<string, double> means);

    static readonly (string, string)[] EdgeCases =
    [
        ("ab", "ab"), ("a", "a"), ("", "abc"), ("abc", ""), ("", ""), ("   ", "你好"), ("x", "y"),
        ("我爱北京天安门", "我爱北京天安门"), ("我来到北京清华大学", "他来到了网易杭研大厦"),
        ("小明硕士毕业于中国科学院计算所，后在日本京都大学深造", "小明毕业于中国科学院计算所。"),
        ("GPT-4o 的 price 是 $2.50/1M tokens。", "GPT-4o的价格是每百万 tokens 2.5 美元！"),
        ("Hello, world! 你好，世界。", "hello world，你好世界……好久不见。"),
        ("第一句。第二句！第三句？", "第一句。第三句？第二句！"),
        ("他说：“走吧。”然后离开了。", "他说：“走吧！”随后就离开了......真的。"),
        ("line one\nline two\r\nline three", "line one\r\nline 2\nline three"),
        ("emoji 😀 test 😀😀", "emoji 😀 test"), ("C++ and C# 3.14% a.b_c-d", "C# and C++ 3.14 % a.b"),
        ("研究生命的起源", "研究生命起源"), ("结婚的和尚未结婚的", "结婚的和尚未结婚的人"),
        ("　全角空格　和\ttab", "全角空格 和 tab"), ("的的的的的的", "的的的"), ("1 2 3 4 5", "1 2 3"),
        ("ａｂｃ全角字母１２３", "abc全角字母123"), ("すもももももももものうち", "すもも"), ("한국어 텍스트", "한국어"),
    ];

    public OracleCorpus()
    {
        Pairs.AddRange(EdgeCases);
        var real = Paths.RealDatasets();
        var outputs = new List<string>();
        foreach (var (file, take) in new[] { ("huanhuan.json", 120), ("alpaca_zh_demo.json", 120), ("alpaca_en_demo.json", 40) })
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(real, file)));
            outputs.AddRange(doc.RootElement.EnumerateArray().Take(take)
                .Select(e => e.GetProperty("output").GetString()!).Where(s => s.Length < 600));
        }
        var rng = new Random(7);
        for (int i = 0; i < outputs.Count; i++)
        {
            var label = outputs[i];
            Pairs.Add((i % 3) switch
            {
                0 => (outputs[(i + 1) % outputs.Count], label), // unrelated answer
                1 => (Mutate(label, rng), label),                // a near miss
                _ => (label[..(label.Length / 2)], label),      // a truncated answer
            });
        }
        var output = RunOracle(Pairs);
        (Results, Means) = (output.pairs, output.means);
    }

    static string Mutate(string text, Random rng)
    {
        var chars = text.ToList();
        for (int k = 0; k < Math.Max(1, chars.Count / 8) && chars.Count > 1; k++)
        {
            int at = rng.Next(chars.Count);
            if (char.IsSurrogate(chars[at])) continue;
            if (rng.Next(2) == 0) chars.RemoveAt(at); else chars.Insert(at, "的了是。"[rng.Next(4)]);
        }
        return new string([.. chars]);
    }

    static OracleOutput RunOracle(List<(string, string)> pairs)
    {
        var dir = Directory.CreateTempSubdirectory("pgx-eval-oracle");
        try
        {
            var input = Path.Combine(dir.FullName, "pairs.json");
            var output = Path.Combine(dir.FullName, "out.json");
            File.WriteAllText(input, JsonSerializer.Serialize(pairs.Select(p => new[] { p.Item1, p.Item2 })));
            var script = Path.Combine(Paths.RepoRoot(), "tests", "PgxStudio.Engine.Tests", "Evaluation", "oracle.py");
            var psi = new ProcessStartInfo("/usr/bin/python3", [script, input, output]) { RedirectStandardError = true };
            psi.Environment["PYTHONIOENCODING"] = "utf-8";
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"oracle.py failed (needs Debian's python3-nltk and python3-jieba): {stderr}");
            return JsonSerializer.Deserialize<OracleOutput>(File.ReadAllText(output))!;
        }
        finally { dir.Delete(true); }
    }
}

internal static class Paths
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("PgxStudio.sln not found above the test folder.");
    }

    public static string RealDatasets() => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "datasets", "real"));
}
