using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using PgxStudio.Engine.Benchmarks;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench decode` and `pgx bench prefill`: tokens/s of a model shape and the ratio to this machine's limit
/// measured in the same run (decode: weight bytes read per step × steps/s ÷ memory bandwidth; prefill: model
/// FLOP/s ÷ matmul FLOP/s of the same dtype).
/// </summary>
public static class BenchModelVerbs
{
    public static Command Decode() => Create("decode", "Decode tokens/s and the share of memory bandwidth it uses.", decode: true);

    public static Command Prefill() => Create("prefill", "Prefill tokens/s and the share of matmul FLOP/s it reaches.", decode: false);

    static Command Create(string name, string description, bool decode)
    {
        var model = new Option<DirectoryInfo?>("--model") { Description = "A Hugging Face model folder (default: a random model of --shape)." };
        var shape = new Option<string>("--shape") { Description = $"{BenchShapes.Names} (random weights).", DefaultValueFactory = _ => "demo-tiny" };
        var layers = new Option<int?>("--layers") { Description = "Cut the shape to this many layers." };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => "float32" };
        var batches = new Option<string>("--batch") { Description = "Comma list of batch sizes.", DefaultValueFactory = _ => "1,4" };
        var promptLength = new Option<int>("--prompt-len") { Description = "Prompt tokens before decoding / tokens per prefill.", DefaultValueFactory = _ => decode ? 64 : 256 };
        var steps = new Option<int>("--steps") { Description = "Decode steps timed.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command(name, description) { model, shape, layers, dtype, batches, promptLength, steps, json };
        command.SetAction((parse, ct) =>
        {
            TorchRuntime.Initialize();
            FreedMemory.KeepForReuse(); // as pgx serve runs
            var device = TorchRuntime.Info.Device;
            var type = parse.GetValue(dtype) == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
            CausalLM lm;
            string label;
            try
            {
                (lm, label) = parse.GetValue(model) is { } dir
                    ? (CausalLM.Load(dir.FullName, type, device), dir.FullName)
                    : (RandomModel(parse.GetValue(shape)!, parse.GetValue(layers), type, device), parse.GetValue(shape)!);
            }
            catch (Exception e) when (e is ModelFileException or ArgumentException)
            {
                Console.Error.WriteLine($"pgx bench {name}: {e.Message}");
                return Task.FromResult(2);
            }
            using (lm)
            {
                var sizes = parse.GetValue(batches)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
                double limit = decode ? MachineLimits.MemoryBandwidthBytesPerSecond(device) : MachineLimits.MatmulFlopsPerSecond(type, device);
                long weightBytes = ModelThroughput.WeightBytes(lm);
                var rows = sizes.Select(batch =>
                {
                    if (decode)
                    {
                        var run = ModelThroughput.Generate(lm, batch, parse.GetValue(promptLength), parse.GetValue(steps));
                        double bytesPerSecond = weightBytes * (run.TokensPerSecond / batch); // weights are read once per step for the whole batch
                        return new BenchRow(batch, Math.Round(run.TokensPerSecond, 2), bytesPerSecond, Math.Round(bytesPerSecond / limit, 4),
                            Math.Round(run.PrefillSeconds, 3), Math.Round(run.EndToEndTokensPerSecond, 2));
                    }
                    double pps = ModelThroughput.PrefillTokensPerSecond(lm, batch, parse.GetValue(promptLength));
                    double flops = ModelThroughput.PrefillFlops(lm.Config, parse.GetValue(promptLength)) * (pps / parse.GetValue(promptLength));
                    return new BenchRow(batch, Math.Round(pps, 2), flops, Math.Round(flops / limit, 4), null, null);
                }).ToList();
                // The batching curve in the same run: how many times batch 1's figure each batch reaches.
                Dictionary<string, double>? VersusBatch1(Func<BenchRow, double?> figure) =>
                    decode && rows.FirstOrDefault(r => r.batch == 1) is { } one && figure(one) is double single && single > 0
                        ? rows.ToDictionary(r => r.batch.ToString(), r => Math.Round(figure(r)!.Value / single, 2)) : null;
                var scaling = VersusBatch1(r => r.tokens_per_second);
                // The same with the prefill counted: a batch that arrives together, as `pgx bench serve --parallel N` sends it.
                var wholeScaling = VersusBatch1(r => r.end_to_end_tokens_per_second);
                var result = new
                {
                    benchmark = name,
                    model = label,
                    device = device.ToString(),
                    dtype = type.ToString(),
                    parameters = lm.parameters().Sum(p => p.NumberOfElements),
                    weight_bytes = weightBytes,
                    limit = decode ? "memory_bandwidth_bytes_per_second" : "matmul_flops_per_second",
                    limit_value = limit,
                    results = rows,
                    tokens_per_second_vs_batch_1 = scaling,
                    end_to_end_vs_batch_1 = wholeScaling,
                };
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }));
                else
                    foreach (var r in rows)
                        Console.WriteLine($"{name} {label} batch {r.batch}: {r.tokens_per_second} tokens/s, {r.ratio_to_limit:P1} of this machine's {(decode ? $"{limit / 1e9:0.0} GB/s" : $"{limit / 1e9:0.0} GFLOP/s")}"
                            + (scaling?.GetValueOrDefault(r.batch.ToString()) is { } x && r.batch != 1 ? $", {x}× batch 1" : "")
                            + (r.prefill_seconds is { } p ? $"; with its {p:0.00} s prefill {r.end_to_end_tokens_per_second} tokens/s"
                                + (wholeScaling?.GetValueOrDefault(r.batch.ToString()) is { } w && r.batch != 1 ? $", {w}× batch 1" : "") : ""));
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>One batch size's figures (prefill_seconds and end_to_end_tokens_per_second for decode only).</summary>
    sealed record BenchRow(int batch, double tokens_per_second, double achieved, double ratio_to_limit, double? prefill_seconds, double? end_to_end_tokens_per_second);

    static CausalLM RandomModel(string shape, int? layers, ScalarType dtype, Device device) =>
        new(BenchShapes.Config(shape, layers), new RandomWeights(1, dtype, device), dtype, device);
}
