using System.CommandLine;
using System.Text.Json;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Cli;

/// <summary>`pgx tokenize`: the ids a model folder's tokenizer gives a text, to compare with any other tokenizer.</summary>
public static class TokenizeVerb
{
    public static Command Create()
    {
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Model folder holding tokenizer.json (and tokenizer_config.json).", Required = true };
        var text = new Option<string?>("--text") { Description = "The text to encode." };
        var file = new Option<FileInfo?>("--file") { Description = "Encode each line of this UTF-8 file separately." };
        var json = new Option<bool>("--json") { Description = "Print JSON arrays (one per input line with --file)." };
        var command = new Command("tokenize", "Print the token ids of a text (no special tokens added).") { tokenizer, text, file, json };
        command.SetAction((parse, ct) =>
        {
            var given = parse.GetValue(text);
            var input = parse.GetValue(file);
            if ((given is null) == (input is null))
            {
                Console.Error.WriteLine("pgx tokenize: give exactly one of --text or --file.");
                return Task.FromResult(2);
            }
            if (input is not null && !input.Exists)
            {
                Console.Error.WriteLine($"pgx tokenize: {input.FullName} does not exist.");
                return Task.FromResult(2);
            }
            HfTokenizer loaded;
            try
            {
                loaded = HfTokenizer.Load(parse.GetValue(tokenizer)!.FullName);
            }
            catch (TokenizerFileException e)
            {
                Console.Error.WriteLine($"pgx tokenize: {e.Message}");
                return Task.FromResult(2);
            }
            var lines = given is not null ? [given] : File.ReadLines(input!.FullName);
            foreach (var line in lines)
            {
                var ids = loaded.Encode(line);
                Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(ids) : string.Join(' ', ids));
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
