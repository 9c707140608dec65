using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Benchmarks;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx bench train`: training tokens/s and MFU (model training FLOP/s ÷ this machine's matmul FLOP/s measured in
/// the same run) for LoRA and full fine-tuning, with PyTorch eager on the same shape as the peer when the machine
/// has it (/usr/bin/python3 with torch).
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
        var methods = new Option<string>("--methods") { DefaultValueFactory = _ => "lora,full" };
        var rank = new Option<int>("--rank") { DefaultValueFactory = _ => 8 };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => "float32" };
        var peer = new Option<string>("--peer") { Description = "auto (PyTorch eager when available) or none.", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json");
        var command = new Command("train", "Fine-tuning tokens/s and MFU, with PyTorch eager as the peer.") { shape, layers, sequence, batch, steps, methods, rank, dtype, peer, json };
        command.SetAction((parse, ct) =>
        {
            TorchRuntime.Initialize();
            var device = TorchRuntime.Info.Device;
            var type = parse.GetValue(dtype) == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
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
            int seq = parse.GetValue(sequence), b = parse.GetValue(batch), n = parse.GetValue(steps);
            double peak = MachineLimits.MatmulFlopsPerSecond(type, device);
            var rows = new List<object>();
            foreach (var method in parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                bool lora = method == "lora";
                double ours;
                using (var model = new CausalLM(config, new RandomWeights(1, type, device), type, device))
                    ours = TrainingThroughput.TokensPerSecond(model, lora, parse.GetValue(rank), b, seq, n);
                double mfu = ours * TrainingThroughput.FlopsPerToken(config, seq, lora) / peak;
                double? theirs = parse.GetValue(peer) == "none" ? null : PyTorchPeer(config, method, parse.GetValue(rank), b, seq, n, parse.GetValue(dtype)!);
                rows.Add(new
                {
                    method, tokens_per_second = Math.Round(ours, 2), mfu = Math.Round(mfu, 4),
                    pytorch_tokens_per_second = theirs is { } t ? Math.Round(t, 2) : (double?)null,
                    ratio_to_pytorch = theirs is { } p ? Math.Round(ours / p, 3) : (double?)null,
                });
            }
            var result = new { benchmark = "train", shape = parse.GetValue(shape), layers = config.NumLayers, seq, batch = b, steps = n, dtype = type.ToString(), device = device.ToString(), matmul_flops_per_second = peak, results = rows };
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(result) : JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Runs the peer script; null when this machine has no PyTorch (the peer is optional).</summary>
    static double? PyTorchPeer(ModelConfig c, string method, int rank, int batch, int seq, int steps, string dtype)
    {
        var script = Path.Combine(Hosting.ContentRoot.Find([]), PeerScript);
        if (!File.Exists("/usr/bin/python3") || !File.Exists(script)) return null;
        var spec = JsonSerializer.Serialize(new
        {
            hidden = c.HiddenSize, layers = c.NumLayers, heads = c.NumHeads, kv_heads = c.NumKeyValueHeads, head_dim = c.HeadDim,
            intermediate = c.IntermediateSize, vocab = c.VocabSize, seq, batch, steps, method, rank, dtype,
        });
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { script, spec } };
        using var python = Process.Start(info)!;
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0) return null;
        return JsonDocument.Parse(output).RootElement.GetProperty("tokens_per_second").GetDouble();
    }
}
