using System.Text.Json;

namespace PgxStudio.Engine.Tokenization;

/// <summary>
/// The parts of a Hugging Face tokenizer.json a byte-level BPE tokenizer (Qwen2, Qwen3, Llama-3) is made of.
/// Anything this studio cannot reproduce exactly (another model type, other normalizers or pre-tokenizers) is
/// refused with a sentence naming the file, rather than tokenized differently from Hugging Face.
/// </summary>
public sealed record TokenizerJson(
    Dictionary<string, int> Vocabulary,
    List<string> Merges,
    bool IgnoreMerges,
    bool NormalizeNfc,
    string? SplitPattern,
    bool AddPrefixSpace,
    IReadOnlyList<AddedToken> AddedTokens)
{
    /// <summary>GPT-2's pattern, used by a ByteLevel pre-tokenizer with use_regex.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    const string Supported = "only byte-level BPE tokenizers (Qwen2, Qwen3, Llama-3 and the like) are supported";

    public static TokenizerJson Read(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerFileException($"{path} does not exist; the model folder needs the tokenizer.json its model was trained with.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path} is not valid JSON (line {e.LineNumber + 1}); download the model's tokenizer.json again.", e);
        }
        using (doc)
        {
            try
            {
                return Parse(doc.RootElement, path);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or IndexOutOfRangeException)
            {
                throw new TokenizerFileException($"{path} is not a complete Hugging Face tokenizer.json ({e.Message}); download the model's tokenizer.json again.", e);
            }
        }
    }

    static TokenizerJson Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new TokenizerFileException($"{path} has no \"model\" section, so it is not a Hugging Face tokenizer.json.");
        var type = Text(model, "type") ?? (model.TryGetProperty("merges", out _) ? "BPE" : null);
        if (type != "BPE")
            throw new TokenizerFileException($"{path} describes a {type ?? "untyped"} tokenizer; {Supported}.");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (Text(model, affix) is { Length: > 0 })
                throw new TokenizerFileException($"{path} uses a BPE {affix}; {Supported}.");

        var (splitPattern, addPrefixSpace) = PreTokenizer(root, path);
        bool nfc = Normalizer(root, path);

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();
        var merges = new List<string>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
            merges.Add(merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()!);

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
            foreach (var token in addedTokens.EnumerateArray())
                added.Add(new AddedToken(token.GetProperty("id").GetInt32(), token.GetProperty("content").GetString()!,
                    token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True));

        bool ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;
        return new TokenizerJson(vocabulary, merges, ignoreMerges, nfc, splitPattern, addPrefixSpace, added);
    }

    /// <summary>A Split regex (Isolated) followed by ByteLevel, or ByteLevel alone (with GPT-2's regex when use_regex).</summary>
    static (string? Pattern, bool AddPrefixSpace) PreTokenizer(JsonElement root, string path)
    {
        var steps = Steps(root, "pre_tokenizer", "pretokenizers").ToList();
        string? pattern = null;
        bool byteLevel = false, prefixSpace = false;
        foreach (var step in steps)
        {
            switch (Text(step, "type"))
            {
                case "Split" when pattern is null && !byteLevel:
                    if (!step.TryGetProperty("pattern", out var p) || Text(p, "Regex") is not { } regex)
                        throw new TokenizerFileException($"{path} has a Split pre-tokenizer without a regex pattern; {Supported}.");
                    if (Text(step, "behavior") != "Isolated" || step.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True)
                        throw new TokenizerFileException($"{path} has a Split pre-tokenizer that does not isolate its matches; {Supported}.");
                    pattern = regex;
                    break;
                case "ByteLevel" when !byteLevel:
                    byteLevel = true;
                    prefixSpace = step.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.True;
                    if (step.TryGetProperty("use_regex", out var ur) && ur.ValueKind != JsonValueKind.False)
                        pattern = pattern is null ? Gpt2Pattern : throw new TokenizerFileException($"{path} splits with two regexes; {Supported}.");
                    break;
                case var other:
                    throw new TokenizerFileException($"{path} has a {other ?? "untyped"} pre-tokenizer step; {Supported}.");
            }
        }
        if (!byteLevel)
            throw new TokenizerFileException($"{path} is a BPE tokenizer without a ByteLevel pre-tokenizer (SentencePiece style); {Supported}.");
        return (pattern, prefixSpace);
    }

    /// <summary>NFC (Qwen2/Qwen3) or none (Llama-3).</summary>
    static bool Normalizer(JsonElement root, string path)
    {
        bool nfc = false;
        foreach (var step in Steps(root, "normalizer", "normalizers"))
        {
            if (Text(step, "type") == "NFC") nfc = true;
            else throw new TokenizerFileException($"{path} has a {Text(step, "type") ?? "untyped"} normalizer; {Supported} (with NFC or no normalizer).");
        }
        return nfc;
    }

    /// <summary>The steps of a section, unrolling a Sequence; none when the section is null or missing.</summary>
    static IEnumerable<JsonElement> Steps(JsonElement root, string section, string sequenceKey)
    {
        if (!root.TryGetProperty(section, out var element) || element.ValueKind != JsonValueKind.Object) return [];
        return Unroll(element, sequenceKey);

        static IEnumerable<JsonElement> Unroll(JsonElement e, string key) =>
            Text(e, "type") == "Sequence" && e.TryGetProperty(key, out var children) && children.ValueKind == JsonValueKind.Array
                ? children.EnumerateArray().SelectMany(c => Unroll(c, key)).ToList()
                : [e];
    }

    static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
