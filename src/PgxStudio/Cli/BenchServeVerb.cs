using System.CommandLine;
using System.Text.Json;
using PgxStudio.Benchmarks;
using PgxStudio.Jobs;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench serve`: load-tests any OpenAI-compatible endpoint (this studio's `pgx serve`, vLLM, TensorRT-LLM)
/// and reports evalscope perf's figures. `--parallel 1,2,4,8` sweeps concurrency. Registered under `pgx bench`.
/// </summary>
public static class BenchServeVerb
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Endpoint: http://host:port/v1 (or …/v1/chat/completions).", Required = true };
        var model = new Option<string>("--model") { Description = "Model name the endpoint serves.", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = "Sent as \"Authorization: Bearer KEY\"." };
        var parallel = new Option<string>("--parallel") { Description = "Requests in flight; a list such as 1,2,4,8 sweeps.", DefaultValueFactory = _ => "1" };
        var number = new Option<int>("--number") { Description = "Requests per concurrency level.", DefaultValueFactory = _ => 20 };
        var dataset = new Option<string?>("--dataset") { Description = "Take prompts from this dataset in dataset_info.json." };
        var dataDir = new Option<string>("--data-dir") { Description = "Folder with dataset_info.json.", DefaultValueFactory = _ => "data" };
        var promptLen = new Option<int?>("--prompt-len") { Description = "Synthesise prompts of this many tokens (exactly with --tokenizer, else about, by chars/4)." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Folder with the served model's tokenizer.json: synthetic prompts get exactly --prompt-len tokens." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of every request.", DefaultValueFactory = _ => 128 };
        var stream = new Option<bool>("--stream") { Description = "Stream replies (needed for TTFT, ITL and TPOT)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (an array when sweeping)." };
        var command = new Command("serve", "Benchmark an OpenAI-compatible chat endpoint: throughput, TTFT, ITL, TPOT, E2EL.")
        {
            url, model, apiKey, parallel, number, dataset, dataDir, promptLen, tokenizer, maxTokens, stream, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var errors = parse.InvocationConfiguration.Error;
            List<int> levels;
            IReadOnlyList<string> prompts;
            ServeBenchmarkOptions options;
            try
            {
                levels = ParseLevels(parse.GetValue(parallel)!);
                int n = parse.GetValue(number);
                if (n < 1) throw new ArgumentException($"--number {n} must be at least 1.");
                if (parse.GetValue(maxTokens) < 1) throw new ArgumentException($"--max-tokens {parse.GetValue(maxTokens)} must be at least 1.");
                ServeRequestSenderCheck(parse.GetValue(url)!);
                string label;
                if (parse.GetValue(dataset) is { } name)
                {
                    prompts = BenchmarkPrompts.FromDataset(parse.GetValue(dataDir)!, name, n);
                    label = $"dataset {name}";
                }
                else
                {
                    int length = parse.GetValue(promptLen) ?? 128;
                    var synthetic = parse.GetValue(tokenizer) is { Length: > 0 } folder
                        ? BenchmarkPrompts.Synthetic(length, n, BenchmarkPrompts.Tokenizer(folder), Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))))
                        : BenchmarkPrompts.Synthetic(length, n);
                    (prompts, label) = (synthetic.Prompts, synthetic.Label);
                }
                options = new ServeBenchmarkOptions
                {
                    Url = parse.GetValue(url)!, Model = parse.GetValue(model)!, ApiKey = parse.GetValue(apiKey), Number = n,
                    MaxTokens = parse.GetValue(maxTokens), Stream = parse.GetValue(stream), PromptsLabel = label,
                };
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or JsonException)
            {
                errors.WriteLine(e.Message);
                return WorkerExitCodes.InvalidInput;
            }

            // Ctrl-C / SIGTERM stop the run; what finished is still reported, labelled partial.
            using var console = new WorkerConsole(watchStdin: false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, console.StopRequested);
            var results = new List<ServeBenchmarkResult>();
            foreach (var p in levels)
            {
                if (stop.IsCancellationRequested) break;
                var result = await ServeBenchmark.RunAsync(options, prompts, p, stop.Token);
                results.Add(result);
                if (!parse.GetValue(json)) ServeBenchmarkReport.Print(result, output);
            }
            if (parse.GetValue(json))
                output.WriteLine(results.Count == 1 && levels.Count == 1
                    ? JsonSerializer.Serialize(results[0], ServeBenchmarkReport.Json)
                    : JsonSerializer.Serialize(results, ServeBenchmarkReport.Json));
            if (results.Count < levels.Count || results.Any(r => r.Partial))
            {
                errors.WriteLine($"Interrupted: results cover {results.Count} of {levels.Count} concurrency level(s); the last is partial.");
                return WorkerExitCodes.Cancelled;
            }
            if (results.All(r => r.Succeeded == 0))
            {
                errors.WriteLine($"Every request failed: {results.SelectMany(r => r.Errors.Keys).FirstOrDefault()}");
                return WorkerExitCodes.Failed;
            }
            return WorkerExitCodes.Succeeded;
        });
        return command;
    }

    static void ServeRequestSenderCheck(string url) => ServeRequestSender.CompletionsUrl(url);

    public static List<int> ParseLevels(string text)
    {
        var levels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            levels.Add(int.TryParse(part, out var p) && p >= 1 ? p : throw new ArgumentException($"--parallel \"{text}\": \"{part}\" is not a whole number of at least 1."));
        return levels.Count > 0 ? levels : throw new ArgumentException("--parallel is empty; give e.g. 4 or 1,2,4,8.");
    }
}
