using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>
/// Logits of this engine equal an independent plain-PyTorch forward pass (Debian's python3-torch 1.13) on the same
/// safetensors, for each supported family. Tolerance: 1e-4 absolute in fp32.
/// </summary>
public class ReferenceForwardTests
{
    public static TheoryData<string> Families => new() { "qwen3", "qwen2", "llama3" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Logits_match_a_plain_PyTorch_reference(string family)
    {
        TorchRuntime.Initialize();
        var config = family switch { "qwen3" => ModelFixtures.Qwen3(), "qwen2" => ModelFixtures.Qwen2(), _ => ModelFixtures.Llama3() };
        var dir = ModelFixtures.Write(config, seed: 11);
        int[][] ids = [[1, 5, 9, 42, 7, 250, 3, 99, 12, 0, 77, 31], [8, 8, 8, 1, 2, 3, 4, 5, 6, 7, 290, 150]];
        var idsPath = Path.Combine(dir, "ids.json");
        File.WriteAllText(idsPath, JsonSerializer.Serialize(ids));

        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        using var input = tensor(ids.SelectMany(r => r).Select(i => (long)i).ToArray(), [2, 12]);
        using var logits = model.Forward(input);

        var expected = RunReference(dir, idsPath);
        var actual = logits.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDiff < 1e-4, $"{family}: max |Δlogit| = {maxDiff:E2}");
    }

    static float[] RunReference(string dir, string idsPath)
    {
        var output = Path.Combine(dir, "reference-logits.json");
        var script = Path.Combine(TestPaths.Root, "tests", "PgxStudio.Engine.Tests", "Models", "reference_forward.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, ArgumentList = { script, dir, idsPath, output } };
        using var python = Process.Start(info)!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"the PyTorch reference failed (install python3-torch: scripts/test.sh does): {error}");
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        return doc.RootElement.EnumerateArray().SelectMany(b => b.EnumerateArray()).SelectMany(s => s.EnumerateArray()).Select(v => v.GetSingle()).ToArray();
    }
}
