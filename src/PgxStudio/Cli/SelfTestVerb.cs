using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using PgxStudio.Engine.Native;
using PgxStudio.Jobs;
using TorchSharp;
using YamlDotNet.Serialization;
using static TorchSharp.torch;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx selftest`: a few real TorchSharp optimisation steps (fitting a line) reported as worker events. It proves
/// the queue → worker → events → database → page path, graceful cancel (checkpoint, then exit) and resume.
/// </summary>
public static class SelfTestVerb
{
    sealed class Config
    {
        public int Steps { get; set; } = 40;
        public int StepMs { get; set; } = 100;
        public int? FailAtStep { get; set; }
    }

    sealed record Checkpoint(int Step, float Weight, float Bias);

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "YAML with steps, step_ms, fail_at_step." };
        var steps = new Option<int?>("--steps") { Description = "Optimisation steps (overrides the config)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the checkpoint and result.", Required = true };
        var command = new Command("selftest", "Run a few real TorchSharp steps as a worker would, printing JSON-line events.")
        {
            config, steps, output,
        };
        command.SetAction((parse, ct) => Task.FromResult(Run(
            parse.GetValue(config), parse.GetValue(steps), parse.GetValue(output)!)));
        return command;
    }

    static int Run(FileInfo? configFile, int? stepsOverride, DirectoryInfo output)
    {
        using var console = new WorkerConsole(Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1");
        Config config;
        try
        {
            config = configFile is null ? new Config() : new DeserializerBuilder()
                .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance)
                .Build().Deserialize<Config>(File.ReadAllText(configFile.FullName)) ?? new Config();
        }
        catch (Exception e) when (e is IOException or YamlDotNet.Core.YamlException)
        {
            console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = $"{configFile?.FullName}: {e.Message}" });
            return WorkerExitCodes.InvalidInput;
        }
        if (stepsOverride is { } s) config.Steps = s;

        TorchRuntime.Initialize();
        Directory.CreateDirectory(output.FullName);
        var checkpointPath = Path.Combine(output.FullName, "checkpoint.json");
        var resumed = File.Exists(checkpointPath)
            ? JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(checkpointPath))
            : null;

        random.manual_seed(1234);
        var x = rand(256, 1) * 4 - 2;
        var y = 3 * x + 2;
        var line = nn.Linear(1, 1);
        if (resumed is not null)
            using (no_grad())
            {
                line.weight!.fill_(resumed.Weight);
                line.bias!.fill_(resumed.Bias);
            }
        var optimizer = optim.AdamW(line.parameters(), lr: 0.1);
        var clock = Stopwatch.StartNew();
        int first = (resumed?.Step ?? 0) + 1;
        console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Started, TotalSteps = config.Steps, Step = first - 1, Message = resumed is null ? "started" : $"resumed from step {resumed.Step}" });

        for (int step = first; step <= config.Steps; step++)
        {
            if (console.StopRequested.IsCancellationRequested)
                return Stop(console, line, step - 1, checkpointPath);
            if (config.FailAtStep == step)
            {
                console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = $"Self-test failed on purpose at step {step} (fail_at_step)." });
                return WorkerExitCodes.Failed;
            }
            double loss;
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var l = nn.functional.mse_loss(line.forward(x), y);
                l.backward();
                optimizer.step();
                loss = l.item<float>();
            }
            double elapsed = clock.Elapsed.TotalSeconds;
            console.Emit(new WorkerEvent
            {
                Event = WorkerEvent.Names.Step, Step = step, TotalSteps = config.Steps, Loss = loss, LearningRate = 0.1,
                Epoch = step / (double)config.Steps, ElapsedSeconds = elapsed,
                RemainingSeconds = elapsed / (step - first + 1) * (config.Steps - step),
            });
            if (config.StepMs > 0) console.StopRequested.WaitHandle.WaitOne(config.StepMs);
        }

        File.WriteAllText(Path.Combine(output.FullName, "result.json"), JsonSerializer.Serialize(new
        {
            weight = line.weight!.item<float>(), bias = line.bias!.item<float>(), steps = config.Steps,
        }));
        console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Finished, Step = config.Steps, TotalSteps = config.Steps, Message = "self-test finished" });
        return WorkerExitCodes.Succeeded;
    }

    static int Stop(WorkerConsole console, nn.Module<Tensor, Tensor> line, int step, string checkpointPath)
    {
        var linear = (TorchSharp.Modules.Linear)line;
        var checkpoint = new Checkpoint(step, linear.weight!.item<float>(), linear.bias!.item<float>());
        File.WriteAllText(checkpointPath + ".tmp", JsonSerializer.Serialize(checkpoint));
        File.Move(checkpointPath + ".tmp", checkpointPath, overwrite: true);
        console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Checkpoint, Step = step, Path = checkpointPath, Message = $"stopped at step {step}; checkpoint saved" });
        return WorkerExitCodes.Cancelled;
    }
}
