using System.CommandLine;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench model-folder`: a Hugging Face folder of a benchmark shape with random weights (qwen3-0.6b: the full
/// 151,936-row vocabulary, 28 layers unless cut), so `pgx serve` and `pgx bench serve` can measure a real-sized model
/// without downloading one. The tokenizer is the demo's own, or copied from --tokenizer (e.g. a Qwen3 download).
/// </summary>
public static class BenchModelFolderVerb
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write.", Required = true };
        var shape = new Option<string>("--shape") { Description = "demo-tiny, demo-small or qwen3-0.6b.", DefaultValueFactory = _ => "qwen3-0.6b" };
        var layers = new Option<int?>("--layers") { Description = "Cut the shape to this many layers." };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16 (Qwen3's own checkpoint dtype).", DefaultValueFactory = _ => "bfloat16" };
        dtype.AcceptOnlyFromAmong("float32", "bfloat16");
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Copy tokenizer.json and tokenizer_config.json (with its chat template) from this folder." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("model-folder", "Write a random-weight model folder of a benchmark shape (for pgx serve / pgx bench serve).")
        {
            output, shape, layers, dtype, tokenizer, seed,
        };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetValue(output)!.FullName;
            try
            {
                var config = BenchShapes.Config(parse.GetValue(shape)!, parse.GetValue(layers));
                var type = parse.GetValue(dtype) == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
                Write(dir, config, type, parse.GetValue(tokenizer)?.FullName, parse.GetValue(seed));
            }
            catch (Exception e) when (e is ArgumentException or IOException or TokenizerFileException)
            {
                Console.Error.WriteLine($"pgx bench model-folder: {e.Message}");
                return Task.FromResult(2);
            }
            Console.WriteLine($"Wrote a random {parse.GetValue(shape)} model to {dir}.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static void Write(string directory, ModelConfig config, ScalarType dtype, string? tokenizerDirectory, long seed)
    {
        TorchRuntime.Initialize();
        // The demo's folder gives a tokenizer, a Qwen3 chat template and generation_config.json; the shape replaces its weights.
        DemoModel.Create(directory, "tiny", seed);
        if (tokenizerDirectory is not null)
            foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                var source = Path.Combine(tokenizerDirectory, file);
                if (!File.Exists(source)) throw new IOException($"{source} does not exist; --tokenizer needs a folder with tokenizer.json and tokenizer_config.json.");
                File.Copy(source, Path.Combine(directory, file), overwrite: true);
            }
        var tokenizer = HfTokenizer.Load(directory);
        if (tokenizer.VocabularySize > config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} tokens but the shape only {config.VocabSize} embedding rows.");
        var shaped = config with
        {
            TorchDtype = dtype == ScalarType.BFloat16 ? "bfloat16" : "float32",
            EosTokenIds = tokenizer.EosTokenId is { } eos ? [eos] : config.EosTokenIds,
        };
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "config.json"), shaped.ToJson().ToJsonString(indented));
        // Qwen3's own sampling defaults, with this tokenizer's end and padding tokens.
        File.WriteAllText(Path.Combine(directory, "generation_config.json"), new System.Text.Json.Nodes.JsonObject
        {
            ["eos_token_id"] = new System.Text.Json.Nodes.JsonArray(shaped.EosTokenIds.Select(id => (System.Text.Json.Nodes.JsonNode)id).ToArray()),
            ["pad_token_id"] = tokenizer.PadTokenId,
            ["do_sample"] = true, ["temperature"] = 0.6, ["top_p"] = 0.95, ["top_k"] = 20,
        }.ToJsonString(indented));
        using var model = new CausalLM(shaped, new RandomWeights(seed, dtype, CPU), dtype, CPU);
        SafetensorsWriter.Write(Path.Combine(directory, "model.safetensors"), model.StateTensors().ToList(),
            new Dictionary<string, string> { ["created_by"] = "pgx bench model-folder", ["seed"] = seed.ToString() });
    }
}
