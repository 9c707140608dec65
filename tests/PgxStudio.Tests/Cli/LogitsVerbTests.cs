using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>
/// `pgx logits` is what the GPU proof lays beside transformers; here it is laid beside the independent plain-PyTorch
/// forward pass (Debian's python3-torch) on the CPU.
/// </summary>
public class LogitsVerbTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Logits_and_greedy_tokens_equal_a_plain_PyTorch_forward_pass()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "demo");
        var (made, _, makeError) = Pgx.Run(Timeout, "create-demo-model", "--out", dir, "--size", "tiny");
        Assert.True(made == 0, makeError);
        var logitsFile = Path.Combine(dir, "logits.safetensors");

        var (code, stdout, stderr) = Pgx.Run(Timeout, "logits", "--model", dir, "--text", "PGX Studio: 你好，世界！ def f(x): return x", "--out", logitsFile, "--generate", "4");
        Assert.True(code == 0, stderr);
        var printed = JsonDocument.Parse(stdout).RootElement;
        var prompt = printed.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var generated = printed.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(4, generated.Length);
        Assert.Equal("cpu", printed.GetProperty("device").GetString());

        // The reference runs on the prompt and the greedy tokens together: its logits over the prompt must equal pgx's,
        // and each greedy token must be its argmax one position earlier.
        var sequence = prompt.Concat(generated).ToArray();
        var reference = Reference(dir, sequence);
        using var file = new SafetensorsFile(logitsFile);
        using var ours = file.Read("logits");
        Assert.Equal(new long[] { prompt.Length, reference[0].Length }, ours.shape);
        var values = ours.data<float>().ToArray();
        double maxDiff = 0;
        for (int t = 0; t < prompt.Length; t++)
            for (int v = 0; v < reference[t].Length; v++)
                maxDiff = Math.Max(maxDiff, Math.Abs(values[t * reference[t].Length + v] - reference[t][v]));
        Assert.True(maxDiff < 1e-4, $"max |Δlogit| = {maxDiff:E2}");
        for (int i = 0; i < generated.Length; i++)
        {
            var row = reference[prompt.Length - 1 + i];
            Assert.Equal(Array.IndexOf(row, row.Max()), generated[i]);
        }
    }

    [Fact]
    public void A_prompt_given_both_ways_or_a_bad_id_is_one_sentence()
    {
        var (both, _, bothError) = Pgx.Run(Timeout, "logits", "--model", "/nonexistent", "--text", "a", "--ids", "1", "--out", "/tmp/x.safetensors");
        Assert.Equal(2, both);
        Assert.Equal("pgx logits: give the prompt as exactly one of --text or --ids.", bothError.Trim());

        var (bad, _, badError) = Pgx.Run(Timeout, "logits", "--model", "/nonexistent", "--ids", "1,x", "--out", "/tmp/x.safetensors");
        Assert.Equal(2, bad);
        Assert.Equal("pgx logits: --ids has 'x', which is not a token id (a whole number from 0).", badError.Trim());
    }

    /// <summary>Logits [position][vocab] of tests/PgxStudio.Engine.Tests/Models/reference_forward.py for one sequence.</summary>
    static float[][] Reference(string modelDir, int[] ids)
    {
        var idsPath = Path.Combine(modelDir, "ids.json");
        var output = Path.Combine(modelDir, "reference.json");
        File.WriteAllText(idsPath, JsonSerializer.Serialize(new[] { ids }));
        var script = Path.Combine(RepoPaths.Root, "tests", "PgxStudio.Engine.Tests", "Models", "reference_forward.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, ArgumentList = { script, modelDir, idsPath, output } };
        using var python = Process.Start(info)!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"the PyTorch reference failed (install python3-torch: scripts/test.sh does): {error}");
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        return doc.RootElement[0].EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
    }
}
