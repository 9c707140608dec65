using System.Text.Json.Nodes;
using PgxStudio.Engine.Export;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Tests.Models;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>Model folders to export (random weights with std 0.2, so logits are spread and quantization shows) and
/// exports of them into temporary folders.</summary>
static class ExportFixtures
{
    /// <summary>The demo-format tokenizer's ids (4,261) padded to a multiple of 64, as Qwen pads its embeddings.</summary>
    public const int DemoVocabulary = 4288;

    public static string Repo => TestPaths.Root;

    /// <summary>
    /// Everything these fixtures write lives under /tmp/pgx-export-tests/PID: models with real vocabularies and their
    /// exports run to tens of MB each. The test host is killed rather than exited, so instead of cleaning up at exit each
    /// run removes the folders of runs whose process is gone.
    /// </summary>
    static readonly string Root = CreateRoot();

    static string CreateRoot()
    {
        var parent = Path.Combine(Path.GetTempPath(), "pgx-export-tests");
        Directory.CreateDirectory(parent);
        foreach (var stale in Directory.EnumerateDirectories(parent))
            if (int.TryParse(Path.GetFileName(stale), out var pid) && !Alive(pid))
                try { Directory.Delete(stale, recursive: true); }
                catch (IOException) { }
        return Directory.CreateDirectory(Path.Combine(parent, Environment.ProcessId.ToString())).FullName;
    }

    static bool Alive(int pid)
    {
        try { return !System.Diagnostics.Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>A new temporary folder under this run's root.</summary>
    public static string TempFolder(string prefix) => Directory.CreateDirectory(Path.Combine(Root, prefix + Guid.NewGuid().ToString("N")[..8])).FullName;

    /// <summary>Moves a folder ModelFixtures made under this run's root.</summary>
    static string Track(string dir)
    {
        var target = TempFolder("pgx-model-");
        Directory.Delete(target);
        Directory.Move(dir, target);
        return target;
    }

    /// <summary>A model with the demo-format tokenizer (Qwen's split regex) and Qwen3's chat template; weights with
    /// std <paramref name="std"/> (about 1.6/√hidden keeps activations of order one through the layers).</summary>
    public static string WithDemoTokenizer(ModelConfig config, long seed = 1, double std = 0.2)
    {
        var dir = Track(ModelFixtures.Write(config with { VocabSize = DemoVocabulary }, seed, std));
        var tokenizer = Tokenization.TokenizerFixtures.Folder("demo-format");
        File.Copy(Path.Combine(tokenizer, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(tokenizer, "tokenizer_config.json")))!.AsObject();
        using (var template = typeof(Engine.Models.Demo.DemoModel).Assembly.GetManifestResourceStream("qwen3-chat-template.jinja")!)
            tokenizerConfig["chat_template"] = new StreamReader(template).ReadToEnd();
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
        return dir;
    }

    /// <summary>A one-layer model carrying a real tokenizer (qwen3 or llama3) and its full vocabulary.</summary>
    public static string WithRealTokenizer(string name)
    {
        var config = name == "llama3"
            ? ModelFixtures.Llama3() with { NumLayers = 1, VocabSize = 128256, RopeScaling = null }
            : ModelFixtures.Qwen3() with { NumLayers = 1, VocabSize = 151936 };
        var dir = Track(ModelFixtures.Write(config, seed: 3));
        var tokenizer = Tokenization.TokenizerFixtures.Folder(name);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(tokenizer, file), Path.Combine(dir, file));
        return dir;
    }

    /// <summary>Exports <paramref name="model"/> with extra config keys; returns the export folder.</summary>
    public static string Export(string model, string formats, string? quantization = null, params string[] extra)
    {
        var exportDir = Path.Combine(TempFolder("pgx-export-"), "out");
        var lines = new List<string> { $"model_name_or_path: {model}", $"export_dir: {exportDir}", $"export_format: {formats}", $"dataset_dir: {Path.Combine(Repo, "data")}" };
        if (quantization is not null) lines.Add($"export_quantization: {quantization}");
        lines.AddRange(extra);
        ExportRunner.Run(ExportSettings.Parse(string.Join('\n', lines), "test config", []));
        return exportDir;
    }

    public static string Gguf(string folder) => Directory.EnumerateFiles(folder, "*.gguf").Single();

    /// <summary>The lines of data/pretrain_demo.txt, the text the project ships, as a model's token ids.</summary>
    public static List<IReadOnlyList<int>> ShippedText(string modelDirectory)
    {
        var tokenizer = HfTokenizer.Load(modelDirectory);
        return File.ReadLines(Path.Combine(Repo, "data", "pretrain_demo.txt")).Where(l => l.Trim().Length > 0)
            .Select(l => tokenizer.Encode(l)).Where(ids => ids.Count >= 2).ToList();
    }

    /// <summary>The engine's logits for one sequence, per position.</summary>
    public static float[][] EngineLogits(CausalLM model, IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.Forward(tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count])).squeeze(0).to(ScalarType.Float32);
        var flat = logits.data<float>().ToArray();
        int vocab = (int)logits.shape[1];
        return Enumerable.Range(0, ids.Count).Select(i => flat.AsSpan(i * vocab, vocab).ToArray()).ToArray();
    }
}
