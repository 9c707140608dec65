using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// The Ollama Modelfile beside a GGUF: FROM the file, a TEMPLATE in Ollama's Go-template language that renders a
/// conversation exactly as the model's chat template (the studio's template for the model, slot by slot: system,
/// user with the assistant header, assistant, tool results), SYSTEM for the template's default system prompt,
/// PARAMETER stop for every stop word and the sampling defaults of generation_config.json.
/// </summary>
public static class OllamaModelfile
{
    public static string Build(string ggufFileName, ChatTemplate template, ITokenizer tokenizer, bool tokenizerAddsBos, string? generationConfigPath)
    {
        var text = new StringBuilder();
        text.Append("FROM ./").Append(ggufFileName).Append('\n');
        text.Append("TEMPLATE \"\"\"").Append(GoTemplate(template, tokenizer, tokenizerAddsBos)).Append("\"\"\"\n");
        if (template.DefaultSystem.Length > 0) text.Append("SYSTEM \"\"\"").Append(template.DefaultSystem).Append("\"\"\"\n");
        foreach (var stop in template.StopStrings(tokenizer)) text.Append("PARAMETER stop ").Append(Quote(stop)).Append('\n');
        foreach (var (name, value) in Sampling(generationConfigPath)) text.Append("PARAMETER ").Append(name).Append(' ').Append(value).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The template without whitespace-trimming actions, so every newline of the chat format survives. Ollama fills
    /// .System with the system messages and ranges over .Messages (system ones included, which this skips).
    /// </summary>
    public static string GoTemplate(ChatTemplate template, ITokenizer tokenizer, bool tokenizerAddsBos)
    {
        var prefix = template.Prefix.Where(s => !(s is Slot.Bos && tokenizerAddsBos)); // llama.cpp already adds bos then
        var t = new StringBuilder();
        t.Append(Text(prefix, template, tokenizer, ""));
        t.Append("{{ if .System }}").Append(Text(template.System ?? [Slot.T("{{content}}")], template, tokenizer, "{{ .System }}")).Append("{{ end }}");
        t.Append("{{ range .Messages }}");
        t.Append("{{ if eq .Role \"user\" }}").Append(Text(template.User, template, tokenizer, "{{ .Content }}"));
        t.Append("{{ else if eq .Role \"assistant\" }}").Append(Text(template.Assistant, template, tokenizer, "{{ .Content }}"));
        t.Append("{{ else if eq .Role \"tool\" }}").Append(Text(template.Observation ?? template.User, template, tokenizer, "{{ .Content }}"));
        t.Append("{{ end }}{{ end }}");
        return t.ToString();
    }

    static string Text(IEnumerable<Slot> slots, ChatTemplate template, ITokenizer tokenizer, string content) => string.Concat(slots.Select(s => s switch
    {
        Slot.Text x => x.Value.Replace("{{content}}", content),
        Slot.Bos => tokenizer.BosTokenId is int b ? tokenizer.Decode([b]) : "",
        Slot.Eos => template.EosToken(tokenizer) ?? "",
        _ => "",
    }));

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>temperature, top_p and top_k from generation_config.json, which Ollama would otherwise not know.</summary>
    static IEnumerable<(string, string)> Sampling(string? path)
    {
        if (path is null || !File.Exists(path)) yield break;
        JsonObject? config;
        try { config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (System.Text.Json.JsonException) { yield break; }
        foreach (var key in new[] { "temperature", "top_p", "top_k" })
            if (config?[key] is JsonValue v && v.TryGetValue<double>(out var number))
                yield return (key, number.ToString(CultureInfo.InvariantCulture));
    }
}
