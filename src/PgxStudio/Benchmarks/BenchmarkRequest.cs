using System.Text.Json;
using PgxStudio.Runs;

namespace PgxStudio.Benchmarks;

/// <summary>What the benchmark page's form asks for, as the user typed it.</summary>
public sealed record BenchmarkRequest
{
    /// <summary>What the compare table calls this result; the model name when left empty.</summary>
    public string Label { get; init; } = "";
    public string Url { get; init; } = "";
    public string Model { get; init; } = "";
    public string? ApiKey { get; init; }
    /// <summary>One level ("4") or a sweep ("1,2,4,8").</summary>
    public string Parallel { get; init; } = "1";
    public int Number { get; init; } = 20;
    /// <summary>A dataset of dataset_info.json to take prompts from; synthetic prompts of <see cref="PromptLength"/> when empty.</summary>
    public string? Dataset { get; init; }
    public int PromptLength { get; init; } = 128;
    /// <summary>The folder of the served model's tokenizer: synthetic prompts then have exactly <see cref="PromptLength"/> tokens.</summary>
    public string? Tokenizer { get; init; }
    public int MaxTokens { get; init; } = 128;
    public bool Stream { get; init; } = true;

    /// <summary>The levels, options and prompts to run, or a <see cref="RunRequestException"/> naming the field to fix.</summary>
    public PreparedBenchmark Prepare(string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(Url))
            throw new RunRequestException("Enter the endpoint URL, e.g. http://127.0.0.1:8000/v1.");
        try
        {
            ServeRequestSender.CompletionsUrl(Url.Trim());
        }
        catch (ArgumentException)
        {
            throw new RunRequestException("URL \"{0}\" is not an http(s) URL; use e.g. http://127.0.0.1:8000/v1.", Url);
        }
        if (string.IsNullOrWhiteSpace(Model))
            throw new RunRequestException("Enter the model name the endpoint serves (its /v1/models lists it).");
        var levels = ParseLevels(Parallel);
        if (Number < 1) throw new RunRequestException("Number of requests {0} must be at least 1.", Number);
        if (MaxTokens < 1) throw new RunRequestException("Max tokens {0} must be at least 1.", MaxTokens);

        IReadOnlyList<string> prompts;
        string label;
        if (Dataset is { Length: > 0 } name)
        {
            try
            {
                prompts = BenchmarkPrompts.FromDataset(dataDirectory, name.Trim(), Number);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or JsonException)
            {
                throw new RunRequestException(e.Message);
            }
            label = $"dataset {name.Trim()}";
        }
        else
        {
            if (PromptLength < 1) throw new RunRequestException("Prompt length {0} must be at least 1 token.", PromptLength);
            SyntheticPrompts synthetic;
            try
            {
                synthetic = string.IsNullOrWhiteSpace(Tokenizer)
                    ? BenchmarkPrompts.Synthetic(PromptLength, Number)
                    : BenchmarkPrompts.Synthetic(PromptLength, Number, BenchmarkPrompts.Tokenizer(Tokenizer.Trim()), Path.GetFileName(Path.TrimEndingDirectorySeparator(Tokenizer.Trim())));
            }
            catch (InvalidDataException e)
            {
                throw new RunRequestException(e.Message);
            }
            (prompts, label) = (synthetic.Prompts, synthetic.Label);
        }
        var options = new ServeBenchmarkOptions
        {
            Url = Url.Trim(), Model = Model.Trim(), ApiKey = string.IsNullOrWhiteSpace(ApiKey) ? null : ApiKey.Trim(),
            Number = Number, MaxTokens = MaxTokens, Stream = Stream, PromptsLabel = label,
        };
        return new PreparedBenchmark(string.IsNullOrWhiteSpace(Label) ? Model.Trim() : Label.Trim(), levels, options, prompts);
    }

    public static IReadOnlyList<int> ParseLevels(string text)
    {
        var levels = new List<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            levels.Add(int.TryParse(part, out var p) && p >= 1
                ? p
                : throw new RunRequestException("Parallel \"{0}\": \"{1}\" is not a whole number of at least 1; use e.g. 4 or 1,2,4,8.", text, part));
        return levels.Count > 0 ? levels : throw new RunRequestException("Parallel is empty; use e.g. 4 or 1,2,4,8.");
    }
}

/// <summary>A checked <see cref="BenchmarkRequest"/>: ready to run.</summary>
public sealed record PreparedBenchmark(string Label, IReadOnlyList<int> Levels, ServeBenchmarkOptions Options, IReadOnlyList<string> Prompts);
