using System.CommandLine;
using PgxStudio.Engine.Training;
using PgxStudio.Jobs;
using PgxStudio.Serving;
using PgxStudio.Training;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx serve [CONFIG.yaml]`: an OpenAI-compatible HTTP server for one model (+ adapters), on loopback unless told
/// otherwise. The config takes LLaMA-Factory's keys like `llamafactory-cli api` does; options override it.
/// </summary>
public static class ServeVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo?>("config") { Description = "LLaMA-Factory YAML with model_name_or_path, adapter_name_or_path, template, enable_thinking (optional).", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string?>("--model") { Description = "Hugging Face model folder to serve (required without a config)." };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT adapter folder(s) to apply, comma-separated, in order (optional)." };
        var template = new Option<string?>("--template") { Description = "Chat template name (default: the model's own)." };
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0 = any free port, announced in the ready event).", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = "Require \"Authorization: Bearer KEY\" on every request." };
        var host = new Option<string>("--host") { Description = "Address to listen on (127.0.0.1 = this machine only; 0.0.0.0 = the LAN).", DefaultValueFactory = _ => "127.0.0.1" };
        var maxNumSeqs = new Option<int>("--max-num-seqs") { Description = "Requests decoded together in one batch; more wait in line. Each holds a KV slot of --max-model-len tokens.", DefaultValueFactory = _ => 8 };
        var maxModelLen = new Option<int?>("--max-model-len") { Description = $"Prompt + answer tokens of one request (default: the model's context, at most {Engine.Inference.BatchLimits.DefaultModelLenCap})." };
        var maxBatchedTokens = new Option<int?>("--max-num-batched-tokens") { Description = "Prompt tokens prefilled together in one step (default: max(2048, --max-model-len))." };
        var dtype = new Option<string>("--dtype") { Description = "auto (fp32 on the CPU, the checkpoint's bf16 on CUDA), float32 or bfloat16.", DefaultValueFactory = _ => "auto" };
        dtype.AcceptOnlyFromAmong(ServeDtype.Choices);
        var command = new Command("serve", "Serve a model over OpenAI-compatible HTTP (/v1/models, /v1/chat/completions, /v1/completions, /metrics) with continuous batching.")
        {
            config, model, adapter, template, port, apiKey, host, maxNumSeqs, maxModelLen, maxBatchedTokens, dtype,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(port) is < 0 or > 65535)
            {
                Console.Error.WriteLine($"--port {parse.GetValue(port)} is not a TCP port; use 1-65535.");
                return WorkerExitCodes.InvalidInput;
            }
            using var console = new WorkerConsole(Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1");
            ServeModelSpec spec;
            try
            {
                spec = Spec(parse.GetValue(config), parse.GetValue(model), parse.GetValue(adapter), parse.GetValue(template)) with
                {
                    Limits = new Engine.Inference.BatchLimits
                    {
                        MaxNumSeqs = parse.GetValue(maxNumSeqs), MaxModelLen = parse.GetValue(maxModelLen), MaxNumBatchedTokens = parse.GetValue(maxBatchedTokens),
                    },
                    Dtype = parse.GetValue(dtype),
                };
            }
            catch (Exception e) when (e is TrainingConfigException or IOException)
            {
                console.Emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = e.Message });
                Console.Error.WriteLine(e.Message);
                return WorkerExitCodes.InvalidInput;
            }
            return await ServeWorker.RunAsync(spec,
                new ChatServerOptions { Host = parse.GetValue(host)!, Port = parse.GetValue(port), ApiKey = parse.GetValue(apiKey) },
                ChatBackendFactory.Load, console.Emit, console.StopRequested);
        });
        return command;
    }

    /// <summary>The model to serve from the config file and the options; an option wins over the file's key.</summary>
    public static ServeModelSpec Spec(FileInfo? config, string? model, string? adapter, string? template)
    {
        var args = config is null ? new TrainingArguments() : TrainingConfigLoader.ReadUnchecked(File.ReadAllText(config.FullName), config.FullName);
        var modelPath = model ?? args.ModelNameOrPath;
        if (string.IsNullOrWhiteSpace(modelPath))
            throw new TrainingConfigException(config is null
                ? "Say which model to serve: --model FOLDER, or a config file with model_name_or_path."
                : $"{config.FullName}: model_name_or_path is missing; add the model folder to serve.");
        try
        {
            return new ServeModelSpec(modelPath, adapter ?? args.AdapterNameOrPath, template ?? args.Template, args.EnableThinking, TrainingPrecision.Quantization(args));
        }
        catch (ArgumentException e)
        {
            throw new TrainingConfigException($"{config?.FullName}: {e.Message}");
        }
    }
}
