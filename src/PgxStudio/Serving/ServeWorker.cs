using System.Text.Json;
using PgxStudio.Jobs;

namespace PgxStudio.Serving;

/// <summary>
/// The life of a `pgx serve` worker: load the model, start the server, announce "ready" with the URL (the
/// studio's chat page waits for it), serve until asked to stop, stop gracefully. Returns a worker exit code.
/// </summary>
public static class ServeWorker
{
    public static async Task<int> RunAsync(ServeModelSpec spec, ChatServerOptions options,
        Func<ServeModelSpec, CancellationToken, Task<IChatBackend>> load, Action<WorkerEvent> emit, CancellationToken stop)
    {
        emit(new WorkerEvent { Event = WorkerEvent.Names.Started, Message = $"loading {spec.ModelDirectory}" + (spec.Adapters.Count > 0 ? $" with adapter {string.Join(", ", spec.Adapters)}" : "") });
        IChatBackend backend;
        try
        {
            backend = await load(spec, stop);
        }
        catch (ChatBackendException e)
        {
            emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = e.Message });
            return WorkerExitCodes.InvalidInput;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            emit(new WorkerEvent { Event = WorkerEvent.Names.Finished, Message = "stopped while loading the model" });
            return WorkerExitCodes.Cancelled;
        }

        if (backend is EngineChatBackend engine)
            emit(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = engine.Budget() });

        ChatServer server;
        try
        {
            server = await ChatServer.StartAsync(backend, options with
            {
                Log = options.Log ?? (line => emit(new WorkerEvent { Event = WorkerEvent.Names.Log, Message = line })),
            }, stop);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            emit(new WorkerEvent { Event = WorkerEvent.Names.Error, Message = $"Cannot listen on {options.Host}:{options.Port}: {e.Message} Pick another --port or stop what uses it." });
            return WorkerExitCodes.InvalidInput;
        }

        await using (server)
        {
            var baseUrl = new Uri(server.Url, "v1").ToString();
            emit(new WorkerEvent
            {
                Event = WorkerEvent.Names.Ready,
                Message = $"serving {backend.ModelId} at {baseUrl}",
                Path = baseUrl,
                Data = JsonSerializer.SerializeToElement(new { url = server.Url.ToString().TrimEnd('/'), base_url = baseUrl, model = backend.ModelId, api_key_required = options.ApiKey is { Length: > 0 } }),
            });
            try
            {
                // the host also stops itself on SIGTERM (its console lifetime); either way we end here
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, server.Stopping);
                await Task.Delay(Timeout.Infinite, either.Token);
            }
            catch (OperationCanceledException) { }
            await server.StopAsync();
        }
        emit(new WorkerEvent { Event = WorkerEvent.Names.Finished, Message = "server stopped" });
        return WorkerExitCodes.Succeeded;
    }
}
