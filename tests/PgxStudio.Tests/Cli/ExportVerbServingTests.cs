using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>`pgx export` from a terminal: LLaMA-Factory's merge config plus export_format, the commands that serve what
/// it wrote, and bad input as one sentence with exit code 2.</summary>
public class ExportVerbServingTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("pgx-export-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_terminal_export_prints_where_each_output_went_and_the_commands_that_serve_it()
    {
        var dir = _dir;
        Assert.Equal(0, Pgx.Run(TimeSpan.FromSeconds(60), "create-demo-model", "--out", Path.Combine(dir, "model")).ExitCode);
        File.WriteAllText(Path.Combine(dir, "export.yaml"), "model_name_or_path: model\nexport_dir: out/demo\nexport_size: 5\nexport_device: cpu\nexport_legacy_format: false\n");

        var (code, stdout, stderr) = Pgx.RunIn(dir, TimeSpan.FromSeconds(120), "export", "export.yaml", "export_format=gguf", "export_quantization=q8_0");
        Assert.True(code == 0, stderr);
        Assert.Contains($"llama.cpp: llama-server -m {Path.Combine(dir, "out", "demo", "demo-Q8_0.gguf")} --port 8080", stdout);
        Assert.Contains($"Ollama: cd {Path.Combine(dir, "out", "demo")} && ollama create demo:q8_0 -f Modelfile", stdout);
        Assert.True(File.Exists(Path.Combine(dir, "out", "demo", "pgx_export.json")));
    }

    [Fact]
    public void Merging_into_a_quantized_base_is_refused_in_one_sentence_with_exit_code_2()
    {
        var dir = _dir;
        File.WriteAllText(Path.Combine(dir, "export.yaml"), "model_name_or_path: model\nadapter_name_or_path: saves/qlora\nquantization_bit: 4\nexport_dir: out\n");
        var (code, stdout, stderr) = Pgx.RunIn(dir, TimeSpan.FromSeconds(60), "export", "export.yaml");
        Assert.Equal(2, code);
        Assert.Equal($"pgx export: {Path.Combine(dir, "export.yaml")} line 3: quantization_bit is 4: that asks for a quantized base, and adapters cannot be merged into a quantized model; remove quantization_bit to merge into the original full-precision weights.", stderr.Trim());
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }
}
