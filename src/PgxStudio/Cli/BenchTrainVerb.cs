using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Benchmarks;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench train`: fine-tuning tokens/s, MFU (model training FLOP/s ÷ this machine's matmul FLOP/s measured in
/// the same run) and peak memory for each method × dtype × checkpointing asked for, with the memory plan's
/// prediction beside each measured peak, and PyTorch eager on the same shape as the peer when the machine has it
/// (/usr/bin/python3 with torch). Each case runs in a fresh child process, so its peak (VmHWM) is its own.
/// </summary>
public static class BenchTrainVerb
{
    const string PeerScript = "scripts/bench/pytorch_train_peer.py";

    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = $"{BenchShapes.Names} (random weights).", DefaultValueFactory = _ => "demo-tiny" };
        var layers = new Option<int?>("--layers") { Description = "Cut the shape to this many layers." };
        var sequence = new Option<int>("--seq") { Description = "Tokens per sequence (cutoff_len).", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Timed optimizer steps.", DefaultValueFactory = _ => 3 };
        var methods = new Option<string>("--methods") { Description = "Comma list of lora, qlora (4-bit nf4, double quantization), qlora8 and full.", DefaultValueFactory = _ => "lora,full" };
        var rank = new Option<int>("--rank") { DefaultValueFactory = _ => 8 };
        var dtype = new Option<string>("--dtype") { Description = "Comma list of float32 and bfloat16.", DefaultValueFactory = _ => "float32" };
        var checkpointing = new Option<string>("--checkpointing") { Description = "Comma list of on and off.", DefaultValueFactory = _ => "on" };
        var baseline = new Option<bool>("--baseline") { Description = "Add the engine as it was before checkpointing and the chunked loss: LoRA, fp32, whole logits." };
        var peer = new Option<string>("--peer") { Description = "auto (PyTorch eager when available) or none.", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json");
        var single = new Option<string?>("--case") { Description = "Internal: run one case in this process.", Hidden = true };
        var command = new Command("train", "Fine-tuning tokens/s, MFU and peak memory, with PyTorch eager as the peer.")
            { shape, layers, sequence, batch, steps, methods, rank, dtype, checkpointing, baseline, peer, json, single };
        command.SetAction((parse, ct) =>
        {
            ModelConfig config;
            try
            {
                config = BenchShapes.Config(parse.GetValue(shape)!, parse.GetValue(layers));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"pgx bench train: {e.Message}");
                return Task.FromResult(2);
            }
            int seq = parse.GetValue(sequence), b = parse.GetValue(batch), n = parse.GetValue(steps), r = parse.GetValue(rank);
            if (parse.GetValue(single) is { } one)
            {
                RunCase(config, BenchCase.Parse(one), seq, b, n, r);
                return Task.FromResult(0);
            }
            TorchRuntime.Initialize();
            var device = TorchRuntime.Info.Device;
            var cases = BenchCase.All(List(parse.GetValue(methods)!), List(parse.GetValue(dtype)!), List(parse.GetValue(checkpointing)!));
            if (parse.GetValue(baseline)) cases.Insert(0, BenchCase.Before);
            var peaks = cases.Select(c => c.Dtype).Distinct().ToDictionary(t => t, t => MachineLimits.MatmulFlopsPerSecond(BenchCase.ScalarOf(t), device));
            var rows = new JsonArray();
            foreach (var (c, index) in cases.Select((c, i) => (c, i)))
            {
                Console.Error.WriteLine($"pgx bench train: case {index + 1} of {cases.Count}: {c}");
                var args = c.Arguments(seq, b, r);
                var plan = MemoryPlan.ForTraining(config, args, device, available: null);
                var ours = Child(parse, c);
                double mfu = ours.TokensPerSecond * TrainingThroughput.FlopsPerToken(config, seq, c.Method != "full") / peaks[c.Dtype];
                var theirs = parse.GetValue(peer) == "none" ? null : PyTorchPeer(config, c, r, b, seq, n);
                rows.Add(new JsonObject
                {
                    ["method"] = c.Method, ["dtype"] = c.Dtype, ["checkpointing"] = c.Checkpointing, ["loss"] = c.WholeLogits ? "whole logits" : "chunked",
                    ["tokens_per_second"] = Math.Round(ours.TokensPerSecond, 2), ["mfu"] = Math.Round(mfu, 4),
                    // The plan knows only the chunked loss: the whole-logits row has no plan to compare.
                    ["peak_memory_bytes"] = ours.PeakBytes, ["planned_peak_bytes"] = c.WholeLogits ? null : plan.PeakBytes,
                    ["plan_error"] = ours.PeakBytes > 0 && !c.WholeLogits ? Math.Round((double)plan.PeakBytes / ours.PeakBytes - 1, 3) : null,
                    ["first_loss"] = Math.Round(ours.Losses[0], 4), ["last_loss"] = Math.Round(ours.Losses[^1], 4),
                    ["pytorch_tokens_per_second"] = theirs?.TokensPerSecond is { } t ? Math.Round(t, 2) : null,
                    ["pytorch_peak_memory_bytes"] = theirs?.PeakBytes,
                    ["ratio_to_pytorch"] = theirs?.TokensPerSecond is { } p ? Math.Round(ours.TokensPerSecond / p, 3) : null,
                });
            }
            var result = new JsonObject
            {
                ["benchmark"] = "train", ["shape"] = parse.GetValue(shape), ["layers"] = config.NumLayers, ["vocab"] = config.VocabSize,
                ["seq"] = seq, ["batch"] = b, ["steps"] = n, ["rank"] = r, ["device"] = device.ToString(),
                ["matmul_flops_per_second"] = new JsonObject(peaks.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                ["results"] = rows,
                ["ratios"] = BenchTrainRatios.Of(rows),
            };
            Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = !parse.GetValue(json) }));
            return Task.FromResult(0);
        });
        return command;
    }

    static List<string> List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>The child's side: one case, printed as one JSON line with the process's peak memory.</summary>
    static void RunCase(ModelConfig config, BenchCase c, int seq, int batch, int steps, int rank)
    {
        TorchRuntime.Initialize();
        var measured = TrainingThroughput.Measure(config, c.Arguments(seq, batch, rank), steps, TorchRuntime.Info.Device, c.WholeLogits ? 0 : null);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            tokens_per_second = measured.TokensPerSecond, peak_memory_bytes = PeakMemory.ProcessPeakBytes() ?? 0, losses = measured.Losses,
        }));
    }

    sealed record CaseResult(double TokensPerSecond, long PeakBytes, IReadOnlyList<double> Losses);

    static CaseResult Child(ParseResult parse, BenchCase c)
    {
        var info = Jobs.WorkerLaunch.ThisProgram(["bench", "train", "--case", c.ToString()]);
        Jobs.WorkerAllocator.Apply(info.Environment); // a training worker's heap, as the studio starts it
        foreach (var option in new[] { "--shape", "--layers", "--seq", "--batch", "--steps", "--rank" })
            if (parse.GetResult(option) is { } given && given.Tokens.Count > 0)
            {
                info.ArgumentList.Add(option);
                info.ArgumentList.Add(given.Tokens[0].Value);
            }
        using var child = Process.Start(info)!;
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"the {c} case failed: {error.Result.Trim()}");
        var row = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        return new CaseResult(row["tokens_per_second"]!.GetValue<double>(), row["peak_memory_bytes"]!.GetValue<long>(),
            row["losses"]!.AsArray().Select(v => v!.GetValue<double>()).ToList());
    }

    sealed record PeerResult(double? TokensPerSecond, long? PeakBytes);

    /// <summary>Runs the peer script for the cases it has (LoRA and full); null when this machine has no PyTorch.</summary>
    static PeerResult? PyTorchPeer(ModelConfig c, BenchCase bench, int rank, int batch, int seq, int steps)
    {
        if (bench.Method is not ("lora" or "full") || bench.WholeLogits) return null;
        var script = Path.Combine(Hosting.ContentRoot.Find([]), PeerScript);
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script)) return null;
        var spec = JsonSerializer.Serialize(new
        {
            hidden = c.HiddenSize, layers = c.NumLayers, heads = c.NumHeads, kv_heads = c.NumKeyValueHeads, head_dim = c.HeadDim,
            intermediate = c.IntermediateSize, vocab = c.VocabSize, seq, batch, steps, method = bench.Method, rank, dtype = bench.Dtype,
            checkpointing = bench.Checkpointing,
        });
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { script, spec } };
        Jobs.WorkerAllocator.Apply(info.Environment); // the peer's heap on the same pages as ours
        using var python = Process.Start(info)!;
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0) return null;
        var root = JsonNode.Parse(output)!;
        return new PeerResult(root["tokens_per_second"]?.GetValue<double>(), root["peak_memory_bytes"]?.GetValue<long>());
    }
}
