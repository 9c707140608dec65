using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Cli;
using PgxStudio.Engine.Benchmarks;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>
/// scripts/device/ runs only on a GPU machine; what can be checked here is checked here: its transformers peer trains
/// exactly pgx's bench shapes and counts the same FLOPs, and every script parses.
/// </summary>
public class DeviceScriptTests
{
    static string Device => Path.Combine(RepoPaths.Root, "scripts", "device");

    [Fact]
    public void The_transformers_peer_trains_pgx_s_bench_shapes_and_counts_the_same_FLOPs()
    {
        var (code, stdout, stderr) = Run("/usr/bin/python3", Path.Combine(Device, "bench_shapes.py"), "--json");
        Assert.True(code == 0, stderr);
        var table = JsonDocument.Parse(stdout).RootElement;
        var names = table.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3-8b"], names);
        foreach (var name in names)
        {
            var theirs = table.GetProperty(name);
            var ours = BenchShapes.Config(name, null);
            Assert.Equal(ours.HiddenSize, theirs.GetProperty("hidden").GetInt32());
            Assert.Equal(ours.NumLayers, theirs.GetProperty("layers").GetInt32());
            Assert.Equal(ours.NumHeads, theirs.GetProperty("heads").GetInt32());
            Assert.Equal(ours.NumKeyValueHeads, theirs.GetProperty("kv_heads").GetInt32());
            Assert.Equal(ours.HeadDim, theirs.GetProperty("head_dim").GetInt32());
            Assert.Equal(ours.IntermediateSize, theirs.GetProperty("intermediate").GetInt32());
            Assert.Equal(ours.VocabSize, theirs.GetProperty("vocab").GetInt32());
            Assert.Equal(ours.TieWordEmbeddings, theirs.GetProperty("tied").GetBoolean());
            int seq = theirs.GetProperty("seq").GetInt32();
            Assert.Equal(TrainingThroughput.FlopsPerToken(ours, seq, lora: true), theirs.GetProperty("lora_flops_per_token").GetDouble(), 1e-9 * theirs.GetProperty("lora_flops_per_token").GetDouble());
            Assert.Equal(TrainingThroughput.FlopsPerToken(ours, seq, lora: false), theirs.GetProperty("full_flops_per_token").GetDouble(), 1e-9 * theirs.GetProperty("full_flops_per_token").GetDouble());
        }
    }

    [Fact]
    public void Every_device_script_parses()
    {
        var python = Directory.EnumerateFiles(Device, "*.py").ToList();
        Assert.Contains(python, p => p.EndsWith("hf_parity.py"));
        Assert.Contains(python, p => p.EndsWith("hf_train_peer.py"));
        var cache = Directory.CreateTempSubdirectory().FullName;
        foreach (var script in python)
        {
            // Compiled into a temporary cache: the repository stays free of __pycache__.
            var (code, _, stderr) = Run("/usr/bin/python3", "-c",
                "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", script, Path.Combine(cache, "x.pyc"));
            Assert.True(code == 0, $"{script}: {stderr}");
        }
        foreach (var script in new[] { Path.Combine(Device, "cuda-proof.sh"), Path.Combine(RepoPaths.Root, "scripts", "build-libtorchsharp.sh"), Path.Combine(RepoPaths.Root, "scripts", "make-cuda-bundle.sh") })
        {
            var (code, _, stderr) = Run("bash", "-n", script);
            Assert.True(code == 0, $"{script}: {stderr}");
        }
    }

    static (int Code, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
