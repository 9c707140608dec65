using System.CommandLine;
using System.Text.Json;
using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx logits`: the raw logits of one prompt and its greedy continuation, written where any other engine's can be
/// laid beside them (transformers on the same GPU, a plain PyTorch forward on the CPU): the exact check of this
/// engine's forward pass, dtype and device path.
/// </summary>
public static class LogitsVerb
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model folder.", Required = true };
        var text = new Option<string?>("--text") { Description = "The prompt, encoded with the model's tokenizer (no template, no special tokens)." };
        var ids = new Option<string?>("--ids") { Description = "The prompt as token ids, comma-separated (instead of --text)." };
        var output = new Option<FileInfo>("--out") { Description = "safetensors file for the logits: \"logits\", float32 [prompt tokens, vocab].", Required = true };
        var generate = new Option<int>("--generate") { Description = "Greedy new tokens to decode after the prompt.", DefaultValueFactory = _ => 0 };
        var command = new Command("logits", "Write a prompt's logits and print its greedy continuation, for comparison with another engine.") { model, text, ids, output, generate };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(model)!, parse.GetValue(text), parse.GetValue(ids), parse.GetValue(output)!, parse.GetValue(generate))));
        return command;
    }

    static int Run(DirectoryInfo modelDirectory, string? text, string? idList, FileInfo output, int generate)
    {
        if ((text is null) == (idList is null))
            return Fail("give the prompt as exactly one of --text or --ids.");
        if (generate < 0) return Fail($"--generate is {generate}; it must be 0 or more.");
        CausalLM lm;
        int[] prompt;
        try
        {
            TorchRuntime.Initialize();
            prompt = idList is not null ? ParseIds(idList) : HfTokenizer.Load(modelDirectory.FullName).Encode(text!).ToArray();
            if (prompt.Length == 0) return Fail("the prompt has no tokens.");
            lm = CausalLM.Load(modelDirectory.FullName);
        }
        catch (Exception e) when (e is ModelFileException or TokenizerFileException or TorchSetupException or FormatException)
        {
            return Fail(e.Message);
        }
        using (lm)
        {
            if (prompt.Max() >= lm.Config.VocabSize)
                return Fail($"--ids has id {prompt.Max()}, beyond the model's vocabulary of {lm.Config.VocabSize}.");
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var input = tensor(prompt.Select(i => (long)i).ToArray(), [1, prompt.Length], device: lm.Device);
                var logits = lm.Forward(input)[0].to(ScalarType.Float32);
                SafetensorsWriter.Write(output.FullName, [("logits", logits)],
                    new Dictionary<string, string> { ["dtype"] = lm.Dtype.ToString(), ["device"] = lm.Device.ToString() });
            }
            IReadOnlyList<int> continuation = generate == 0 ? [] :
                new TokenGenerator(lm).Generate([prompt], new GenerationOptions { MaxNewTokens = generate, DoSample = false })[0];
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = modelDirectory.FullName, device = lm.Device.ToString(), dtype = lm.Dtype.ToString(),
                prompt_ids = prompt, generated_ids = continuation, logits = output.FullName,
            }));
        }
        return 0;
    }

    static int[] ParseIds(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var id) && id >= 0 ? id : throw new FormatException($"--ids has '{s}', which is not a token id (a whole number from 0)."))
            .ToArray();

    static int Fail(string message)
    {
        Console.Error.WriteLine($"pgx logits: {message}");
        return 2;
    }
}
