using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Models.Demo;

/// <summary>
/// Writes a complete Hugging Face folder of a small, randomly initialised Qwen3-architecture model: config.json,
/// model.safetensors, a byte-level BPE tokenizer.json learned here (covers any UTF-8 text and carries Qwen3's
/// special tokens), tokenizer_config.json with Qwen3's chat template, and generation_config.json. The studio's
/// default model and the tests' model; it loads through exactly the code path of a real Qwen3 download.
/// </summary>
public static class DemoModel
{
    public const string Qwen3SplitPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen3's added tokens, in its order; the first three are special, the think tags are not.</summary>
    static readonly (string Content, bool Special)[] AddedTokens =
    [
        ("<|endoftext|>", true), ("<|im_start|>", true), ("<|im_end|>", true),
        ("<tool_call>", false), ("</tool_call>", false), ("<think>", false), ("</think>", false),
    ];

    public static ModelConfig Config(string size, int vocabSize) => size switch
    {
        "tiny" => new ModelConfig
        {
            Architecture = "Qwen3ForCausalLM", HiddenSize = 64, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2, HeadDim = 16,
            IntermediateSize = 176, VocabSize = vocabSize, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true,
            TieWordEmbeddings = true, MaxPositionEmbeddings = 2048, TorchDtype = "float32",
        },
        "small" => new ModelConfig
        {
            Architecture = "Qwen3ForCausalLM", HiddenSize = 256, NumLayers = 4, NumHeads = 8, NumKeyValueHeads = 4, HeadDim = 32,
            IntermediateSize = 704, VocabSize = vocabSize, RmsNormEps = 1e-6, RopeTheta = 1_000_000, QkNorm = true,
            TieWordEmbeddings = true, MaxPositionEmbeddings = 4096, TorchDtype = "float32",
        },
        _ => throw new ArgumentException($"--size {size} is not one of tiny, small."),
    };

    public static void Create(string directory, string size = "tiny", long seed = 42)
    {
        Native.TorchRuntime.Initialize();
        Directory.CreateDirectory(directory);
        var (vocabulary, merges) = BytePairTrainer.Train(DemoCorpus.Text, Qwen3SplitPattern, maxMerges: size == "tiny" ? 1500 : 4000);
        int firstAdded = vocabulary.Count;
        var added = AddedTokens.Select((t, i) => (Id: firstAdded + i, t.Content, t.Special)).ToList();
        int vocabSize = (firstAdded + added.Count + 63) / 64 * 64; // embedding rows padded, as Qwen pads its vocabulary
        var config = Config(size, vocabSize) with
        {
            EosTokenIds = [added.Single(a => a.Content == "<|im_end|>").Id],
        };

        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJson().ToJsonString(indented));
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson(vocabulary, merges, added).ToJsonString());
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), new JsonObject
        {
            ["add_bos_token"] = false,
            ["add_prefix_space"] = false,
            ["bos_token"] = null,
            ["eos_token"] = "<|im_end|>",
            ["pad_token"] = "<|endoftext|>",
            ["unk_token"] = null,
            ["model_max_length"] = config.MaxPositionEmbeddings,
            ["tokenizer_class"] = "Qwen2Tokenizer",
            ["split_special_tokens"] = false,
            ["chat_template"] = ChatTemplate(),
        }.ToJsonString(indented));
        File.WriteAllText(Path.Combine(directory, "generation_config.json"), new JsonObject
        {
            ["eos_token_id"] = new JsonArray(added[2].Id, added[0].Id),
            ["pad_token_id"] = added[0].Id,
            ["do_sample"] = true,
            ["temperature"] = 0.6,
            ["top_p"] = 0.95,
            ["top_k"] = 20,
        }.ToJsonString(indented));

        using var model = new CausalLM(config, new RandomWeights(seed, ScalarType.Float32, CPU), ScalarType.Float32, CPU);
        SafetensorsWriter.Write(Path.Combine(directory, "model.safetensors"), model.StateTensors().ToList(),
            new Dictionary<string, string> { ["created_by"] = "pgx create-demo-model", ["size"] = size, ["seed"] = seed.ToString() });
    }

    static JsonObject TokenizerJson(Dictionary<string, int> vocabulary, List<(string, string)> merges, List<(int Id, string Content, bool Special)> added)
    {
        var vocab = new JsonObject();
        foreach (var (token, id) in vocabulary.OrderBy(v => v.Value)) vocab[token] = id;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(added.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id, ["content"] = a.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = a.Special,
            }).ToArray()),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Qwen3SplitPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Item1, m.Item2)).ToArray()),
            },
        };
    }

    static string ChatTemplate()
    {
        using var stream = typeof(DemoModel).Assembly.GetManifestResourceStream("qwen3-chat-template.jinja")!;
        return new StreamReader(stream).ReadToEnd();
    }
}
