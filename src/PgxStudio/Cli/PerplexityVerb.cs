using System.CommandLine;
using System.Text.Json;
using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx perplexity`: per line, the token count and mean negative log-likelihood, and the overall perplexity: the
/// handle by which this engine's forward pass can be compared with any other implementation's.
/// </summary>
public static class PerplexityVerb
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model folder.", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "UTF-8 text, one sample per line.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON lines: one per input line, then the overall figures." };
        var command = new Command("perplexity", "Mean negative log-likelihood per line and overall perplexity (no template, no special tokens).") { model, file, json };
        command.SetAction((parse, ct) =>
        {
            var input = parse.GetValue(file)!;
            if (!input.Exists)
            {
                Console.Error.WriteLine($"pgx perplexity: {input.FullName} does not exist.");
                return Task.FromResult(2);
            }
            CausalLM lm;
            HfTokenizer tokenizer;
            try
            {
                TorchRuntime.Initialize();
                lm = CausalLM.Load(parse.GetValue(model)!.FullName);
                tokenizer = HfTokenizer.Load(parse.GetValue(model)!.FullName);
            }
            catch (Exception e) when (e is ModelFileException or TokenizerFileException or TorchSetupException)
            {
                Console.Error.WriteLine($"pgx perplexity: {e.Message}");
                return Task.FromResult(2);
            }
            using (lm)
            {
                var scores = new List<Perplexity.LineScore>();
                int number = 0;
                foreach (var line in File.ReadLines(input.FullName))
                {
                    number++;
                    Perplexity.LineScore score;
                    try
                    {
                        score = Perplexity.Score(lm, tokenizer.Encode(line));
                    }
                    catch (ArgumentException e)
                    {
                        Console.Error.WriteLine($"pgx perplexity: {input.FullName} line {number}: {e.Message}");
                        return Task.FromResult(2);
                    }
                    scores.Add(score);
                    Console.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(new { line = number, tokens = score.Tokens, mean_nll = double.IsNaN(score.MeanNll) ? (double?)null : score.MeanNll })
                        : $"{number}\t{score.Tokens}\t{score.MeanNll:0.000000}");
                }
                var (mean, ppl, predicted) = Perplexity.Overall(scores);
                Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { overall = true, lines = scores.Count, predicted_tokens = predicted, mean_nll = mean, perplexity = ppl })
                    : $"overall\t{predicted} predicted tokens\tmean NLL {mean:0.000000}\tperplexity {ppl:0.0000}");
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
