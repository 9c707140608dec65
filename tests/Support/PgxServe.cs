using System.Diagnostics;
using System.Text.Json;

namespace PgxStudio.TestSupport;

/// <summary>
/// A real `pgx serve` worker process on a free loopback port, as the studio would start it (supervised: it stops
/// when its stdin closes). Waits for its "ready" event and reads the URL and model name from it.
/// </summary>
public sealed class PgxServe : IAsyncDisposable
{
    readonly Process _process;

    PgxServe(Process process, string baseUrl, string modelId)
    {
        _process = process;
        BaseUrl = baseUrl;
        ModelId = modelId;
    }

    /// <summary>Ends in /v1.</summary>
    public string BaseUrl { get; }
    public string ModelId { get; }
    public int ProcessId => _process.Id;

    public static async Task<PgxServe> StartAsync(string modelDirectory, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { Pgx.Dll, "serve", "--model", modelDirectory, "--port", "0" }) info.ArgumentList.Add(a);
        info.Environment.Remove("PGX_HOME");
        info.Environment["PGX_SUPERVISED"] = "1";
        var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        var seen = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(wait.Token) is { } line)
            {
                seen.Add(line);
                if (!line.StartsWith('{')) continue;
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("event", out var e) && e.GetString() == "ready")
                {
                    var data = json.RootElement.GetProperty("data");
                    var serve = new PgxServe(process, data.GetProperty("base_url").GetString()!, data.GetProperty("model").GetString()!);
                    _ = DrainAsync(process); // keep reading so the worker never blocks on a full pipe
                    return serve;
                }
            }
        }
        catch (OperationCanceledException) { }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"pgx serve did not become ready; it printed:\n{string.Join('\n', seen)}");
    }

    static async Task DrainAsync(Process process)
    {
        try { while (await process.StandardOutput.ReadLineAsync() is not null) { } }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>Stops the worker at once (tests that need it gone mid-benchmark call this).</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the supervised worker's cue to stop gracefully
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            Kill();
        }
        _process.Dispose();
    }
}
