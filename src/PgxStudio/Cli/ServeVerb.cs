using System.CommandLine;
using PgxStudio.Jobs;
using PgxStudio.Serving;

namespace PgxStudio.Cli;

/// <summary>`pgx serve`: an OpenAI-compatible HTTP server for one model (+ adapter), on loopback unless told otherwise.</summary>
public static class ServeVerb
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Hugging Face model folder to serve.", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT adapter folder to apply (optional)." };
        var port = new Option<int>("--port") { Description = "TCP port to listen on.", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = "Require \"Authorization: Bearer KEY\" on every request." };
        var host = new Option<string>("--host") { Description = "Address to listen on (127.0.0.1 = this machine only; 0.0.0.0 = the LAN).", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Serve a model over OpenAI-compatible HTTP (/v1/models, /v1/chat/completions).")
        {
            model, adapter, port, apiKey, host,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(port) is < 0 or > 65535)
            {
                Console.Error.WriteLine($"--port {parse.GetValue(port)} is not a TCP port; use 1-65535.");
                return WorkerExitCodes.InvalidInput;
            }
            using var console = new WorkerConsole(Environment.GetEnvironmentVariable(WorkerLaunch.SupervisedVariable) == "1");
            return await ServeWorker.RunAsync(
                new ServeModelSpec(parse.GetValue(model)!, parse.GetValue(adapter)),
                new ChatServerOptions { Host = parse.GetValue(host)!, Port = parse.GetValue(port), ApiKey = parse.GetValue(apiKey) },
                ChatBackendFactory.Load, console.Emit, console.StopRequested);
        });
        return command;
    }
}
