using System.CommandLine;
using PgxStudio.Serving;

namespace PgxStudio.Cli;

/// <summary>`pgx chat`: an interactive terminal chat with streaming, like `llamafactory-cli chat`.</summary>
public static class ChatVerb
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model folder.", Required = true };
        var adapter = new Option<DirectoryInfo?>("--adapter") { Description = "PEFT LoRA adapter folder (merged at load)." };
        var template = new Option<string?>("--template") { Description = "Chat template (default: chosen from the model)." };
        var thinking = new Option<bool>("--enable-thinking") { Description = "Let a reasoning model (qwen3) think first; false closes an empty thought in every prompt.", DefaultValueFactory = _ => true };
        var system = new Option<string?>("--system") { Description = "System prompt." };
        var temperature = new Option<double>("--temperature") { Description = "0 for greedy.", DefaultValueFactory = _ => 0.7 };
        var maxTokens = new Option<int>("--max-new-tokens") { Description = "Longest reply.", DefaultValueFactory = _ => 512 };
        var quantization = new Option<int?>("--quantization-bit") { Description = "Load the base quantized (4: nf4 with double quantization, 8: int8), as QLoRA trained it; the adapter stays unmerged." };
        var command = new Command("chat", "Chat with a model in the terminal (type 'clear' to start over, 'exit' to quit).") { model, adapter, template, thinking, system, temperature, maxTokens, quantization };
        command.SetAction(async (parse, ct) =>
        {
            EngineChatBackend backend;
            try
            {
                // One person in a terminal: one KV slot is all the batch needs.
                backend = new EngineChatBackend(new ServeModelSpec(parse.GetValue(model)!.FullName, parse.GetValue(adapter)?.FullName, EnableThinking: parse.GetValue(thinking),
                    Quantization: Engine.Quantization.QuantizationSettings.From(parse.GetValue(quantization), "bnb", "nf4", true))
                    { Limits = new Engine.Inference.BatchLimits { MaxNumSeqs = 1 } }, parse.GetValue(template));
            }
            catch (Exception e) when (e is Engine.Models.ModelFileException or Engine.Tokenization.TokenizerFileException or ArgumentException)
            {
                Console.Error.WriteLine($"pgx chat: {e.Message}");
                return 2;
            }
            using (backend)
            {
                var history = new List<ChatMessage>();
                if (parse.GetValue(system) is { Length: > 0 } prompt) history.Add(new ChatMessage("system", prompt));
                Console.WriteLine($"Chatting with {backend.ModelId}. Type 'clear' to start over, 'exit' to quit.");
                while (!ct.IsCancellationRequested)
                {
                    Console.Write("\nUser: ");
                    var line = Console.ReadLine();
                    if (line is null || line.Trim() == "exit") break;
                    if (line.Trim() == "clear")
                    {
                        history.RemoveAll(m => m.Role != "system");
                        Console.WriteLine("History cleared.");
                        continue;
                    }
                    if (line.Trim().Length == 0) continue;
                    history.Add(new ChatMessage("user", line));
                    var request = new ChatCompletionRequest { Messages = history.ToList(), Temperature = parse.GetValue(temperature), MaxTokens = parse.GetValue(maxTokens) };
                    if (backend.Validate(request) is { } problem)
                    {
                        Console.Error.WriteLine(problem);
                        history.RemoveAt(history.Count - 1);
                        continue;
                    }
                    Console.Write("Assistant: ");
                    var reply = new System.Text.StringBuilder();
                    bool thinking = false;
                    await foreach (var delta in backend.StreamAsync(request, ct))
                    {
                        if (delta.Reasoning is { } r)
                        {
                            if (!thinking) Console.Write("[thinking] ");
                            thinking = true;
                            Console.Write(r);
                        }
                        if (delta.Text is { } t)
                        {
                            if (thinking) Console.Write("\n[/thinking] ");
                            thinking = false;
                            Console.Write(t);
                            reply.Append(t);
                        }
                    }
                    Console.WriteLine();
                    history.Add(new ChatMessage("assistant", reply.ToString()));
                }
            }
            return 0;
        });
        return command;
    }
}
