using System.CommandLine;
using System.Text.Json;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Cli;

/// <summary>`pgx tokenize`: the ids a model folder's tokenizer gives a text (no special tokens added), to compare
/// with any other tokenizer.</summary>
public static class TokenizeVerb
{
    public static Command Create()
    {
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Model folder holding tokenizer.json (and tokenizer_config.json).", Required = true };
        var text = new Option<string?>("--text") { Description = "The text to encode." };
        var file = new Option<FileInfo?>("--file") { Description = "A UTF-8 file: each line is encoded on its own." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of ids (one per input line with --file)." };
        var command = new Command("tokenize", "Print the token ids of a text as Hugging Face's tokenizer gives them.") { tokenizer, text, file, json };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(tokenizer)!, parse.GetValue(text), parse.GetValue(file), parse.GetValue(json))));
        return command;
    }

    static int Run(DirectoryInfo folder, string? text, FileInfo? file, bool json)
    {
        if ((text is null) == (file is null)) return Fail("give exactly one of --text or --file.");
        if (file is { Exists: false }) return Fail($"{file.FullName} does not exist.");
        HfTokenizer loaded;
        try
        {
            loaded = HfTokenizer.Load(folder.FullName);
        }
        catch (TokenizerFileException e)
        {
            return Fail(e.Message);
        }
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        foreach (var line in text is not null ? [text] : File.ReadLines(file!.FullName))
        {
            var ids = loaded.Encode(line);
            output.WriteLine(json ? JsonSerializer.Serialize(ids) : string.Join(' ', ids));
        }
        output.Flush();
        return 0;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"pgx tokenize: {message}");
        return 2;
    }
}
