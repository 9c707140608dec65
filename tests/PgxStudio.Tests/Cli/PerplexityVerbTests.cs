using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Tokenization;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

public class PerplexityVerbTests
{
    [Fact]
    public void Per_line_NLL_matches_a_plain_PyTorch_forward_pass_on_the_same_weights()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "demo");
        Assert.Equal(0, Pgx.Run(TimeSpan.FromSeconds(60), "create-demo-model", "--out", dir, "--seed", "5").ExitCode);
        string[] lines = ["Hello, PGX Studio! Fine-tune me.", "训练损失下降了。", "def f(x): return x * 2"];
        var text = Path.Combine(dir, "lines.txt");
        File.WriteAllLines(text, lines);

        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "perplexity", "--model", dir, "--file", text, "--json");
        Assert.True(code == 0, stderr);
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(lines.Length + 1, results.Count);

        var tokenizer = HfTokenizer.Load(dir);
        double weighted = 0;
        int predicted = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var ids = tokenizer.Encode(lines[i]);
            var logits = ReferenceLogits(dir, ids);
            double nll = 0;
            for (int t = 0; t < ids.Count - 1; t++)
            {
                var row = logits[t];
                double max = row.Max(), logSum = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                nll += logSum - row[ids[t + 1]];
            }
            nll /= ids.Count - 1;
            Assert.Equal(ids.Count, results[i].GetProperty("tokens").GetInt32());
            Assert.Equal(nll, results[i].GetProperty("mean_nll").GetDouble(), 4);
            weighted += nll * (ids.Count - 1);
            predicted += ids.Count - 1;
        }
        var overall = results[^1];
        Assert.Equal(predicted, overall.GetProperty("predicted_tokens").GetInt32());
        Assert.Equal(Math.Exp(weighted / predicted), overall.GetProperty("perplexity").GetDouble(), 2);
    }

    [Fact]
    public void A_missing_model_or_file_is_one_sentence()
    {
        var (code, _, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "perplexity", "--model", "/nonexistent/model", "--file", "/etc/hostname");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/model/config.json does not exist", stderr);
        (code, _, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "perplexity", "--model", "/tmp", "--file", "/nonexistent.txt");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent.txt does not exist", stderr);
    }

    static double[][] ReferenceLogits(string dir, IReadOnlyList<int> ids)
    {
        var idsPath = Path.Combine(dir, "ids.json");
        File.WriteAllText(idsPath, JsonSerializer.Serialize(new[] { ids }));
        var output = Path.Combine(dir, "ref.json");
        var script = Path.Combine(RepoPaths.Root, "tests", "PgxStudio.Engine.Tests", "Models", "reference_forward.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, ArgumentList = { script, dir, idsPath, output } };
        using var python = Process.Start(info)!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, error);
        return JsonDocument.Parse(File.ReadAllText(output)).RootElement[0].EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
    }
}
