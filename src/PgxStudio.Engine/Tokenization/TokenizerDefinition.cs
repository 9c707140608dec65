using System.Text.Json;

namespace PgxStudio.Engine.Tokenization;

/// <summary>What a Hugging Face tokenizer.json says about a byte-level BPE tokenizer, read once.</summary>
public sealed record TokenizerDefinition(
    IReadOnlyDictionary<string, int> Vocabulary,
    IReadOnlyList<(string Left, string Right)> Merges,
    bool IgnoreMerges,
    bool NormalizeNfc,
    string? SplitPattern,
    IReadOnlyList<AddedToken> AddedTokens)
{
    public static TokenizerDefinition Read(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerFileException($"{path} does not exist; a model folder needs the tokenizer.json its model was trained with.");
        JsonDocument doc;
        try
        {
            using var stream = File.OpenRead(path);
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFileException($"{path} is not valid JSON ({e.Message}); download the model's tokenizer.json again.", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new TokenizerFileException($"{path} has no \"model\" section; it is not a Hugging Face tokenizer.json.");
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "BPE")
                throw new TokenizerFileException($"{path} describes a {type ?? "untyped"} tokenizer; only byte-level BPE tokenizers (Qwen2, Qwen3, Llama-3) are supported.");
            if (!IsByteLevel(root))
                throw new TokenizerFileException($"{path} is a BPE tokenizer without byte-level pre-tokenization (SentencePiece-style); only byte-level BPE tokenizers (Qwen2, Qwen3, Llama-3) are supported.");

            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
            var merges = new List<(string, string)>();
            foreach (var merge in model.GetProperty("merges").EnumerateArray())
            {
                if (merge.ValueKind == JsonValueKind.Array)
                    merges.Add((merge[0].GetString()!, merge[1].GetString()!));
                else
                {
                    var text = merge.GetString()!;
                    int space = text.IndexOf(' ', 1);
                    if (space < 0) throw new TokenizerFileException($"{path}: merge \"{text}\" is not two tokens separated by a space.");
                    merges.Add((text[..space], text[(space + 1)..]));
                }
            }
            bool ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;

            var added = new List<AddedToken>();
            if (root.TryGetProperty("added_tokens", out var addedTokens))
                foreach (var token in addedTokens.EnumerateArray())
                    added.Add(new AddedToken(token.GetProperty("id").GetInt32(), token.GetProperty("content").GetString()!,
                        token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True));

            return new TokenizerDefinition(vocab, merges, ignoreMerges, HasNfc(root), SplitPatternOf(root), added);
        }
    }

    static bool IsByteLevel(JsonElement root) =>
        root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object && Flatten(pre).Any(p => Type(p) == "ByteLevel");

    static bool HasNfc(JsonElement root) =>
        root.TryGetProperty("normalizer", out var n) && n.ValueKind == JsonValueKind.Object && Flatten(n).Any(p => Type(p) == "NFC");

    /// <summary>The Split pre-tokenizer's regex; a ByteLevel pre-tokenizer with use_regex uses GPT-2's.</summary>
    static string? SplitPatternOf(JsonElement root)
    {
        var pre = root.GetProperty("pre_tokenizer");
        foreach (var p in Flatten(pre))
        {
            if (Type(p) == "Split" && p.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
                return regex.GetString();
            if (Type(p) == "ByteLevel" && p.TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind == JsonValueKind.True)
                return Gpt2Pattern;
        }
        return null;
    }

    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static IEnumerable<JsonElement> Flatten(JsonElement element)
    {
        yield return element;
        foreach (var key in new[] { "pretokenizers", "normalizers" })
            if (element.TryGetProperty(key, out var children) && children.ValueKind == JsonValueKind.Array)
                foreach (var child in children.EnumerateArray())
                    foreach (var inner in Flatten(child)) yield return inner;
    }

    static string? Type(JsonElement e) => e.TryGetProperty("type", out var t) ? t.GetString() : null;
}

/// <summary>A token matched whole in text before any splitting (chat markers, tool tags).</summary>
public sealed record AddedToken(int Id, string Content, bool Special);
