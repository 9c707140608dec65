namespace PgxStudio.Engine.Templates;

/// <summary>The chat templates PGX Studio knows, with LLaMA-Factory's names, strings, default systems and stop words.</summary>
public static class ChatTemplates
{
    const string C = "{{content}}";

    static readonly Slot[] QwenUser = [Slot.T("<|im_start|>user\n" + C + "<|im_end|>\n<|im_start|>assistant\n")];
    static readonly Slot[] QwenAssistant = [Slot.T(C + "<|im_end|>\n")];
    static readonly Slot[] QwenSystem = [Slot.T("<|im_start|>system\n" + C + "<|im_end|>\n")];
    static readonly Slot[] QwenObservation = [Slot.T("<|im_start|>user\n<tool_response>\n" + C + "\n</tool_response><|im_end|>\n<|im_start|>assistant\n")];

    static readonly Dictionary<string, ChatTemplate> All = new ChatTemplate[]
    {
        new()
        {
            Name = "default",
            User = [Slot.T("Human: " + C), Slot.EosToken, Slot.T("\nAssistant:")],
            Assistant = [Slot.T(C), Slot.EosToken, Slot.T("\n")],
            System = [Slot.T("System: " + C), Slot.EosToken, Slot.T("\n")],
        },
        new()
        {
            Name = "alpaca",
            User = [Slot.T("### Instruction:\n" + C + "\n\n### Response:\n")],
            Assistant = [Slot.T(C), Slot.EosToken, Slot.T("\n\n")],
            DefaultSystem = "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n",
        },
        new()
        {
            Name = "empty",
            Assistant = [Slot.T(C)],
        },
        new()
        {
            Name = "qwen",
            User = QwenUser, Assistant = QwenAssistant, System = QwenSystem, Observation = QwenObservation,
            Function = QwenAssistant,
            DefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
            StopWords = ["<|im_end|>"], ReplaceEos = true,
        },
        new ReasoningTemplate
        {
            Name = "qwen3",
            User = QwenUser, Assistant = QwenAssistant, System = QwenSystem, Observation = QwenObservation,
            Function = QwenAssistant,
            StopWords = ["<|im_end|>"], ReplaceEos = true,
        },
        new()
        {
            Name = "qwen3_nothink",
            User = QwenUser, Assistant = QwenAssistant, System = QwenSystem, Observation = QwenObservation,
            Function = QwenAssistant,
            StopWords = ["<|im_end|>"], ReplaceEos = true,
        },
        new()
        {
            Name = "llama3",
            User = [Slot.T("<|start_header_id|>user<|end_header_id|>\n\n" + C + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")],
            Assistant = [Slot.T(C + "<|eot_id|>")],
            System = [Slot.T("<|start_header_id|>system<|end_header_id|>\n\n" + C + "<|eot_id|>")],
            Function = [Slot.T(C + "<|eot_id|>")],
            Observation = [Slot.T("<|start_header_id|>ipython<|end_header_id|>\n\n" + C + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")],
            Prefix = [Slot.BosToken],
            StopWords = ["<|eot_id|>", "<|eom_id|>"], ReplaceEos = true,
        },
    }.ToDictionary(t => t.Name);

    public static IReadOnlyCollection<string> Names => All.Keys;

    /// <summary>The template called <paramref name="name"/>; an unknown name is a clear error.</summary>
    public static ChatTemplate Get(string name) =>
        All.TryGetValue(name, out var t) ? t
            : throw new ArgumentException($"Unknown template '{name}'; choose one of: {string.Join(", ", All.Keys)}.");

    /// <summary>The template called <paramref name="name"/> with <c>enable_thinking</c> applied (it only changes reasoning templates).</summary>
    public static ChatTemplate Get(string name, bool enableThinking) =>
        Get(name) is ReasoningTemplate r ? r.WithThinking(enableThinking) : Get(name);

    /// <summary>
    /// The template for a Hugging Face model folder: the user's choice when given, else from the tokenizer's chat
    /// template (tokenizer_config.json), else from config.json's architecture, else <c>default</c>.
    /// </summary>
    /// <param name="enableThinking">LLaMA-Factory's <c>enable_thinking</c>; it only changes reasoning templates.</param>
    public static ChatTemplate ForModel(string modelDirectory, string? overrideName = null, bool enableThinking = true) =>
        Get(string.IsNullOrWhiteSpace(overrideName) ? InferName(modelDirectory) : overrideName, enableThinking);

    public static string InferName(string modelDirectory)
    {
        var chat = ReadString(Path.Combine(modelDirectory, "tokenizer_config.json"), "chat_template");
        if (chat is not null)
        {
            if (chat.Contains("<|start_header_id|>")) return "llama3";
            if (chat.Contains("<|im_start|>"))
                return chat.Contains("<think>") ? (chat.Contains("enable_thinking") ? "qwen3" : "qwen3_nothink")
                    : ArchitectureIs(modelDirectory, "Qwen3") ? "qwen3_nothink" : "qwen";
        }
        if (ArchitectureIs(modelDirectory, "Qwen3")) return "qwen3";
        if (ArchitectureIs(modelDirectory, "Qwen2")) return "qwen";
        if (ArchitectureIs(modelDirectory, "Llama")) return "llama3";
        return "default";
    }

    static bool ArchitectureIs(string dir, string prefix)
    {
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return false;
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path));
            return node?["architectures"]?.AsArray().Any(a => a?.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal) == true) == true;
        }
        catch (System.Text.Json.JsonException) { return false; }
    }

    static string? ReadString(string path, string key)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))?[key];
            // chat_template may be a string or a list of named templates.
            return node switch
            {
                System.Text.Json.Nodes.JsonValue v => v.GetValue<string>(),
                System.Text.Json.Nodes.JsonArray a => string.Concat(a.Select(x => x?["template"]?.GetValue<string>())),
                _ => null,
            };
        }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
