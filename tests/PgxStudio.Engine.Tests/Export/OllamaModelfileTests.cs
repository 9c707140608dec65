using System.Text;
using System.Text.RegularExpressions;
using PgxStudio.Engine.Export.Gguf;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tests.Models;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// The Ollama Modelfile written beside a GGUF. Its TEMPLATE is executed here by a small interpreter of the Go-template
/// constructs it uses (text/template semantics: if, else if, eq, range over .Messages, .System, .Content) and must
/// render a conversation exactly as the model's chat template does.
/// </summary>
public class OllamaModelfileTests
{
    [Theory]
    [InlineData("qwen", false)]
    [InlineData("qwen3", false)]
    [InlineData("llama3", true)]
    [InlineData("default", false)]
    public void The_template_renders_a_conversation_as_the_chat_template_does(string templateName, bool tokenizerAddsBos)
    {
        var tokenizer = Tokenization.TokenizerFixtures.Tokenizer(templateName == "llama3" ? "llama3" : "qwen3");
        var template = ChatTemplates.Get(templateName);
        var go = OllamaModelfile.GoTemplate(template, tokenizer, tokenizerAddsBos);
        Message[] conversation = [Message.User("What is 2+2?"), Message.Assistant("4."), Message.User("And 3+3?\nAnswer briefly.")];
        foreach (var system in new[] { "You are terse.", "" })
        {
            var expected = template.RenderGenerationPrompt(tokenizer, conversation, system);
            if (tokenizerAddsBos && tokenizer.BosTokenId is int bos) expected = expected[tokenizer.Decode([bos]).Length..]; // llama.cpp adds it
            var ollamaSystem = system.Length > 0 ? system : template.DefaultSystem; // Ollama's SYSTEM line fills .System
            var rendered = GoTemplateInterpreter.Render(go, ollamaSystem, conversation.Select(m => (m.Role == Role.User ? "user" : "assistant", m.Content)).ToList());
            Assert.Equal(expected, rendered);
        }
    }

    [Fact]
    public void The_modelfile_names_the_gguf_its_stop_words_system_prompt_and_sampling()
    {
        var model = ExportFixtures.WithDemoTokenizer(ModelFixtures.Qwen3());
        File.WriteAllText(Path.Combine(model, "generation_config.json"), """{"temperature": 0.6, "top_p": 0.95, "top_k": 20}""");
        var folder = ExportFixtures.Export(model, "gguf", "q8_0", "template: qwen");
        var modelfile = File.ReadAllText(Path.Combine(folder, "Modelfile"));
        Assert.StartsWith($"FROM ./{Path.GetFileName(ExportFixtures.Gguf(folder))}\n", modelfile);
        Assert.Contains("PARAMETER stop \"<|im_end|>\"\n", modelfile);
        Assert.Contains($"SYSTEM \"\"\"{ChatTemplates.Get("qwen").DefaultSystem}\"\"\"", modelfile);
        Assert.Contains("PARAMETER temperature 0.6\n", modelfile);
        Assert.Contains("PARAMETER top_k 20\n", modelfile);
        Assert.Contains("TEMPLATE \"\"\"{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}", modelfile);
        Assert.Contains("{{ if eq .Role \"user\" }}<|im_start|>user\n{{ .Content }}<|im_end|>\n<|im_start|>assistant\n", modelfile);
    }
}

/// <summary>Executes the subset of Go's text/template that the Modelfile's TEMPLATE uses.</summary>
static class GoTemplateInterpreter
{
    abstract record Node;
    sealed record TextNode(string Text) : Node;
    sealed record FieldNode(string Field) : Node;
    sealed record IfNode(List<(Func<Scope, bool> Condition, List<Node> Body)> Branches) : Node;
    sealed record RangeNode(List<Node> Body) : Node;
    sealed record Scope(string System, string Role, string Content, List<(string Role, string Content)> Messages);

    public static string Render(string template, string system, List<(string Role, string Content)> messages)
    {
        var tokens = Regex.Split(template, @"(\{\{.*?\}\})");
        int position = 0;
        var nodes = Parse(tokens, ref position, out _);
        var output = new StringBuilder();
        Execute(nodes, new Scope(system, "", "", messages), output);
        return output.ToString();
    }

    static List<Node> Parse(string[] tokens, ref int i, out string? stop)
    {
        var nodes = new List<Node>();
        stop = null;
        while (i < tokens.Length)
        {
            var token = tokens[i++];
            if (!token.StartsWith("{{"))
            {
                if (token.Length > 0) nodes.Add(new TextNode(token));
                continue;
            }
            Assert.DoesNotContain("{{-", token); // trimming would eat the format's newlines
            var action = token[2..^2].Trim();
            if (action is "end" || action.StartsWith("else")) { stop = action; return nodes; }
            if (action is ".System" or ".Content") nodes.Add(new FieldNode(action));
            else if (action == "range .Messages")
            {
                var body = Parse(tokens, ref i, out var end);
                Assert.Equal("end", end);
                nodes.Add(new RangeNode(body));
            }
            else if (action.StartsWith("if "))
            {
                var branches = new List<(Func<Scope, bool>, List<Node>)>();
                var condition = Condition(action[3..]);
                while (true)
                {
                    var body = Parse(tokens, ref i, out var next);
                    branches.Add((condition, body));
                    if (next == "end") break;
                    Assert.StartsWith("else if ", next);
                    condition = Condition(next!["else if ".Length..]);
                }
                nodes.Add(new IfNode(branches));
            }
            else throw new InvalidOperationException($"Unexpected template action {token}.");
        }
        return nodes;
    }

    static Func<Scope, bool> Condition(string text)
    {
        if (text == ".System") return s => s.System.Length > 0;
        var m = Regex.Match(text, "^eq \\.Role \"(\\w+)\"$");
        Assert.True(m.Success, $"Unexpected condition {text}.");
        return s => s.Role == m.Groups[1].Value;
    }

    static void Execute(List<Node> nodes, Scope scope, StringBuilder output)
    {
        foreach (var node in nodes)
            switch (node)
            {
                case TextNode t: output.Append(t.Text); break;
                case FieldNode { Field: ".System" }: output.Append(scope.System); break;
                case FieldNode { Field: ".Content" }: output.Append(scope.Content); break;
                case IfNode i:
                    foreach (var (condition, body) in i.Branches)
                        if (condition(scope)) { Execute(body, scope, output); break; }
                    break;
                case RangeNode r:
                    foreach (var (role, content) in scope.Messages) Execute(r.Body, scope with { Role = role, Content = content }, output);
                    break;
            }
    }
}
