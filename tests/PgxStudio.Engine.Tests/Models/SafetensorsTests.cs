using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

public class SafetensorsTests
{
    [Fact]
    public void Float32_bfloat16_and_float16_round_trip_bit_exactly_with_metadata()
    {
        TorchRuntime.Initialize();
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.safetensors");
        using var a = randn(3, 5);
        using var b = randn(7).to(ScalarType.BFloat16);
        using var c = randn(2, 2, 2).to(ScalarType.Float16);
        SafetensorsWriter.Write(path, [("a", a), ("b.weight", b), ("c", c)], new Dictionary<string, string> { ["source"] = "test" });

        using var file = new SafetensorsFile(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("test", file.Metadata["source"]);
        Assert.Equal("BF16", file.Entries["b.weight"].Dtype);
        foreach (var (name, original) in new[] { ("a", a), ("b.weight", b), ("c", c) })
        {
            using var read = file.Read(name);
            Assert.Equal(original.dtype, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.True(original.bytes.SequenceEqual(read.bytes), name);
        }
        // Data starts 8-byte aligned, as other writers expect.
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path), 0) % 8);
    }

    [Fact]
    public void Sharded_checkpoints_load_through_the_index_like_a_single_file()
    {
        TorchRuntime.Initialize();
        var config = ModelFixtures.Qwen3();
        var single = ModelFixtures.Write(config, seed: 5);
        var sharded = Directory.CreateTempSubdirectory().FullName;
        File.Copy(Path.Combine(single, "config.json"), Path.Combine(sharded, "config.json"));
        using (var model = CausalLM.Load(single, ScalarType.Float32, CPU))
        {
            var files = SafetensorsWriter.WriteSharded(sharded, model.StateTensors().ToList(), maxShardBytes: 60_000);
            Assert.True(files.Count > 2);
        }
        Assert.True(File.Exists(Path.Combine(sharded, "model.safetensors.index.json")));
        using var a = CausalLM.Load(single, ScalarType.Float32, CPU);
        using var b = CausalLM.Load(sharded, ScalarType.Float32, CPU);
        using var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4]);
        using var la = a.Forward(ids);
        using var lb = b.Forward(ids);
        Assert.True(la.equal(lb).all().item<bool>());
    }

    [Fact]
    public void Files_written_here_are_read_by_an_independent_parser()
    {
        TorchRuntime.Initialize();
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 3);
        // reference_forward.py parses the header and data with struct/numpy; it succeeding on our file is the check.
        var ids = Path.Combine(dir, "ids.json");
        File.WriteAllText(ids, "[[1, 2, 3]]");
        var script = Path.Combine(TestPaths.Root, "tests", "PgxStudio.Engine.Tests", "Models", "reference_forward.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, ArgumentList = { script, dir, ids, Path.Combine(dir, "out.json") } };
        using var python = Process.Start(info)!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, error);
        Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out.json"))).RootElement[0].GetArrayLength());
    }
}
