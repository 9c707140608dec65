using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// The tokenizer as llama.cpp reads it from GGUF (tokenizer.ggml.*), built the way convert_hf_to_gguf.py and gguf-py's
/// SpecialVocab build it: every id up to the model's vocab_size (ids without a token become "[PADn]", UNUSED), added
/// tokens as CONTROL (special, or looking like &lt;|…|&gt;) or USER_DEFINED, the BPE merges, the pre-tokenizer by name
/// (qwen2 or llama-bpe: llama.cpp has each regex built in), the special token ids from tokenizer_config.json with
/// config.json as fallback, add_bos/add_eos, and the chat template.
/// </summary>
public sealed record GgufVocabulary(
    string PreTokenizer,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<int> TokenTypes,
    IReadOnlyList<string> Merges,
    IReadOnlyList<(string Key, uint Id)> SpecialIds,
    bool? AddBos,
    bool? AddEos,
    string? ChatTemplate)
{
    // gguf-py's TokenType.
    public const int Normal = 1, Control = 3, UserDefined = 4, Unused = 5;

    /// <summary>Qwen2/Qwen3's split regex (single digits); llama.cpp calls it "qwen2".</summary>
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Llama-3's split regex (digits in threes); llama.cpp calls it "llama-bpe".</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    // SpecialVocab's token kinds and the GGUF keys they go to (gguf-py spells "seperator").
    static readonly (string Kind, string Key)[] SpecialKinds =
    [
        ("bos", "tokenizer.ggml.bos_token_id"), ("eos", "tokenizer.ggml.eos_token_id"), ("unk", "tokenizer.ggml.unknown_token_id"),
        ("sep", "tokenizer.ggml.seperator_token_id"), ("pad", "tokenizer.ggml.padding_token_id"), ("cls", "tokenizer.ggml.cls_token_id"),
        ("mask", "tokenizer.ggml.mask_token_id"),
    ];

    /// <summary>The pre-tokenizer name llama.cpp knows for a split regex, or null when it has none that splits alike.</summary>
    public static string? PreTokenizerFor(string? splitPattern) => splitPattern switch
    {
        Qwen2Pattern => "qwen2",
        Llama3Pattern => "llama-bpe",
        _ => null,
    };

    public static GgufVocabulary Read(string modelDirectory, ModelConfig config)
    {
        var tokenizerPath = Path.Combine(modelDirectory, "tokenizer.json");
        var definition = TokenizerJson.Read(tokenizerPath);
        var pre = PreTokenizerFor(definition.SplitPattern)
                  ?? throw new ArgumentException($"{tokenizerPath} splits text with a regex llama.cpp has no pre-tokenizer for (it knows Qwen2's and Llama-3's); a GGUF of this model would tokenize differently, so export it as hf, nvfp4 or fp8 instead.");

        var added = definition.AddedTokens.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.First());
        var byId = new Dictionary<int, string>();
        foreach (var (token, id) in definition.Vocabulary) byId[id] = token;
        foreach (var token in definition.AddedTokens) byId[token.Id] = token.Content;
        int highest = byId.Keys.DefaultIfEmpty(-1).Max();
        if (highest >= config.VocabSize)
            throw new ArgumentException($"{tokenizerPath} has token id {highest} but config.json's vocab_size is {config.VocabSize}; the tokenizer does not belong to this model.");

        var tokens = new string[config.VocabSize];
        var types = new int[config.VocabSize];
        for (int i = 0; i < config.VocabSize; i++)
        {
            if (!byId.TryGetValue(i, out var text))
            {
                tokens[i] = $"[PAD{i}]";
                types[i] = Unused;
            }
            else if (added.TryGetValue(i, out var a))
            {
                tokens[i] = text;
                types[i] = a.Special || LooksSpecial(text) ? Control : UserDefined;
            }
            else
            {
                tokens[i] = text;
                types[i] = Normal;
            }
        }

        var tokenizerConfig = ReadObject(Path.Combine(modelDirectory, "tokenizer_config.json"));
        var modelConfig = ReadObject(Path.Combine(modelDirectory, "config.json"));
        var tokenizerJson = ReadObject(tokenizerPath);
        int? IdOf(string content) => definition.AddedTokens.FirstOrDefault(t => t.Content == content)?.Id;

        var special = new List<(string, uint)>();
        foreach (var (kind, key) in SpecialKinds)
        {
            int? id = TokenText(tokenizerConfig?[$"{kind}_token"]) is { } content ? IdOf(content) : null;
            id ??= modelConfig?[$"{kind}_token_id"] is JsonValue v && v.TryGetValue<int>(out var fromConfig) ? fromConfig : null;
            if (id is >= 0 && id < config.VocabSize) special.Add((key, (uint)id.Value));
        }

        var (addBos, addEos) = AddedByPostProcessor(tokenizerJson, TokenText(tokenizerConfig?["bos_token"]), TokenText(tokenizerConfig?["eos_token"]));
        if (tokenizerConfig?["add_bos_token"] is JsonValue b && b.TryGetValue<bool>(out var bos)) addBos = bos;
        if (tokenizerConfig?["add_eos_token"] is JsonValue e && e.TryGetValue<bool>(out var eos)) addEos = eos;

        return new GgufVocabulary(pre, tokens, types, definition.Merges, special, addBos, addEos, ChatTemplateOf(modelDirectory, tokenizerConfig));
    }

    /// <summary>The tokenizer.ggml.* and tokenizer.chat_template entries.</summary>
    public IEnumerable<(string Key, GgufValue Value)> Metadata()
    {
        yield return ("tokenizer.ggml.model", GgufValue.String("gpt2"));
        yield return ("tokenizer.ggml.pre", GgufValue.String(PreTokenizer));
        yield return ("tokenizer.ggml.tokens", GgufValue.Strings(Tokens));
        yield return ("tokenizer.ggml.token_type", GgufValue.Int32s(TokenTypes));
        yield return ("tokenizer.ggml.merges", GgufValue.Strings(Merges));
        foreach (var (key, id) in SpecialIds) yield return (key, GgufValue.UInt32(id));
        if (AddBos is { } bos) yield return ("tokenizer.ggml.add_bos_token", GgufValue.Bool(bos));
        if (AddEos is { } eos) yield return ("tokenizer.ggml.add_eos_token", GgufValue.Bool(eos));
        if (ChatTemplate is { } template) yield return ("tokenizer.chat_template", GgufValue.String(template));
    }

    public uint? SpecialId(string key) => SpecialIds.Where(s => s.Key == key).Select(s => (uint?)s.Id).FirstOrDefault();

    /// <summary>convert_hf_to_gguf.py's does_token_look_special for the families exported here.</summary>
    static bool LooksSpecial(string token) =>
        (token.StartsWith("<|", StringComparison.Ordinal) && token.EndsWith("|>", StringComparison.Ordinal))
        || (token.StartsWith("<｜", StringComparison.Ordinal) && token.EndsWith("｜>", StringComparison.Ordinal));

    /// <summary>A TemplateProcessing post-processor that starts with bos (Llama-3) or ends with eos adds it to every text.</summary>
    static (bool?, bool?) AddedByPostProcessor(JsonObject? tokenizer, string? bos, string? eos)
    {
        var post = tokenizer?["post_processor"] as JsonObject;
        var processors = post?["processors"] is JsonArray list ? list.OfType<JsonObject>() : post is null ? [] : [post];
        foreach (var p in processors)
        {
            if (p["type"]?.GetValue<string>() != "TemplateProcessing" || p["single"] is not JsonArray single || single.Count < 2) continue;
            string? first = single[0]?["SpecialToken"]?["id"]?.GetValue<string>(), last = single[^1]?["SpecialToken"]?["id"]?.GetValue<string>();
            return (first is null ? null : first == bos, last is null ? null : last == eos);
        }
        return (null, null);
    }

    static string? ChatTemplateOf(string modelDirectory, JsonObject? tokenizerConfig)
    {
        switch (tokenizerConfig?["chat_template"])
        {
            case JsonValue v when v.TryGetValue<string>(out var s): return s;
            case JsonArray named:
                return named.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == "default")?["template"]?.GetValue<string>();
        }
        var jinja = Path.Combine(modelDirectory, "chat_template.jinja");
        return File.Exists(jinja) ? File.ReadAllText(jinja) : null;
    }

    static string? TokenText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o when o["content"] is JsonValue c && c.TryGetValue<string>(out var s) => s,
        _ => null,
    };

    static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 256 }) as JsonObject; }
        catch (JsonException e) { throw new ArgumentException($"{path} is not valid JSON ({e.Message}).", e); }
    }
}
