using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PgxStudio.Serving;

/// <summary>
/// The OpenAI-compatible HTTP server of `pgx serve`: GET /v1/models, POST /v1/chat/completions and /v1/completions
/// (streaming and not) in front of one <see cref="IChatBackend"/>, and GET /metrics (Prometheus, vLLM's names), on
/// Kestrel. Requests are handed to the backend as they arrive; it batches them. Every error a client can cause
/// becomes an OpenAI-style JSON error; nothing a client sends stops the server.
/// </summary>
public sealed class ChatServer : IAsyncDisposable
{
    readonly WebApplication _app;

    ChatServer(WebApplication app, Uri url, ServeMetrics metrics)
    {
        _app = app;
        Url = url;
        Metrics = metrics;
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:8000 (clients use {Url}/v1).</summary>
    public Uri Url { get; }

    public ServeMetrics Metrics { get; }

    /// <summary>Fires when the server begins stopping.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public static async Task<ChatServer> StartAsync(IChatBackend backend, ChatServerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // The serve server is set only by its options: not by the studio's appsettings.json ("Urls", host
        // filtering) nor by ASPNETCORE_* variables inherited from the studio that started this worker.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            if (options.Host is "localhost") kestrel.ListenLocalhost(options.Port);
            else if (IPAddress.TryParse(options.Host, out var ip)) kestrel.Listen(ip, options.Port);
            else throw new ArgumentException($"--host \"{options.Host}\" is not an IP address or localhost; use e.g. 127.0.0.1 or 0.0.0.0.");
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        // The worker's own console handles SIGTERM/Ctrl+C and stops this server; the host's console lifetime would
        // let SIGTERM end the process with the signal, and the studio would record an unload as a failure.
        builder.Services.AddSingleton<IHostLifetime, ServerLifetime>();
        var metrics = new ServeMetrics(backend.ModelId);
        if (backend is EngineChatBackend engine) engine.Scheduler.StepTokens = metrics.ObserveIteration;
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            try
            {
                if (options.ApiKey is { Length: > 0 } key && context.Request.Path.StartsWithSegments("/v1")
                    && context.Request.Headers.Authorization.ToString() != $"Bearer {key}")
                {
                    await OpenAiError.WriteAsync(context, StatusCodes.Status401Unauthorized,
                        "The API key is missing or wrong; send the key given to `pgx serve --api-key` as \"Authorization: Bearer KEY\".",
                        "invalid_request_error", null, "invalid_api_key");
                    return;
                }
                await next(context);
                if (context.Response.StatusCode == StatusCodes.Status404NotFound && !context.Response.HasStarted)
                    await OpenAiError.WriteAsync(context, 404, $"There is no {context.Request.Method} {context.Request.Path}; this server offers GET /v1/models, POST /v1/chat/completions, POST /v1/completions and GET /metrics.", "invalid_request_error", null, "unknown_url");
                else if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.Response.HasStarted)
                    await OpenAiError.WriteAsync(context, 405, $"{context.Request.Method} is not allowed on {context.Request.Path}.", "invalid_request_error", null, "method_not_allowed");
            }
            catch (ChatRequestException e)
            {
                await OpenAiError.WriteAsync(context, e);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // the client went away or we are stopping: nobody is left to answer
            }
            catch (Exception e)
            {
                options.Log?.Invoke($"request failed: {e.GetType().Name}: {e.Message}");
                await OpenAiError.WriteAsync(context, 500, $"The server failed on this request: {e.Message}", "server_error", null, "internal_error");
            }
        });

        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = backend.ModelId, @object = "model", created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), owned_by = "pgx", max_model_len = backend.MaxModelLen } },
        }));
        var chat = new ChatCompletionEndpoint(backend, metrics, options.Log, app.Lifetime.ApplicationStopping);
        app.MapPost("/v1/chat/completions", chat.HandleAsync);
        var text = new TextCompletionEndpoint(backend, metrics, options.Log, app.Lifetime.ApplicationStopping);
        app.MapPost("/v1/completions", text.HandleAsync);
        // Like vLLM's, outside /v1 and so outside the API key: a scraper reads load, not answers.
        app.MapGet("/metrics", () => Results.Text(metrics.Render(backend.Load), "text/plain; version=0.0.4; charset=utf-8"));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        return new ChatServer(app, url, metrics);
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that leaves signals alone: whoever started the server stops it.</summary>
sealed class ServerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
