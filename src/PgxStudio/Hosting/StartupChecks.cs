using System.Net;
using Microsoft.Data.Sqlite;
using PgxStudio.Engine.Native;

namespace PgxStudio.Hosting;

/// <summary>Turns what goes wrong at start-up into one sentence that names the problem and the fix.</summary>
public static class StartupChecks
{
    public static StudioOptions BindOptions(IConfiguration configuration)
    {
        var options = Bind<StudioOptions>(configuration, StudioOptions.Section);
        Require(options.UploadLimitMegabytes > 0, "Studio:UploadLimitMegabytes", options.UploadLimitMegabytes, "a positive number of megabytes");
        Require(options.ServeWorkers is >= 1 and <= 64, "Studio:ServeWorkers", options.ServeWorkers, "a number from 1 to 64");
        Require(options.CancelGraceSeconds >= 1, "Studio:CancelGraceSeconds", options.CancelGraceSeconds, "at least 1");
        Require(options.Auth.ToLowerInvariant() is "none" or "accounts", "Studio:Auth", options.Auth, "none or accounts");
        Require(!string.IsNullOrWhiteSpace(options.SavesDirectory), "Studio:SavesDirectory", "", "a folder path");
        return options;
    }

    public static TorchOptions BindTorchOptions(IConfiguration configuration)
    {
        var options = Bind<TorchOptions>(configuration, "Torch");
        Require(options.Device.ToLowerInvariant() is "auto" or "cpu" or "cuda", "Torch:Device", options.Device, "auto, cpu or cuda");
        Require(options.Threads >= 0, "Torch:Threads", options.Threads, "0 (one per core) or more");
        return options;
    }

    static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // "Failed to convert configuration value '…' at 'Studio:X' to type 'System.Int32'."
            throw new StartupProblem($"appsettings.json: {e.Message.TrimEnd('.')}; fix that value and start again.");
        }
    }

    static void Require(bool ok, string key, object value, string expected)
    {
        if (!ok) throw new StartupProblem($"appsettings.json: {key} is '{value}' but must be {expected}.");
    }

    /// <summary>saves/ must exist (created if missing) and be writable.</summary>
    public static void EnsureWritableFolder(string folder, string key)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupProblem($"{folder} ({key}) is not writable: {e.Message.TrimEnd('.')}; fix its permissions or point {key} at a writable folder.");
        }
    }

    public static StartupProblem CorruptDatabase(string path, Exception e) =>
        new($"{path} is not a usable SQLite database ({e.Message.TrimEnd('.')}); move it aside and start again, and the studio creates a new one.", e);

    /// <summary>A LAN-reachable studio without accounts would let anyone on the network act as anyone.</summary>
    public static void RequireAccountsBeyondLoopback(IEnumerable<string> urls, StudioOptions options)
    {
        var exposed = ListenAddresses.BeyondLoopback(urls);
        if (exposed.Count > 0 && !options.UsesAccounts)
            throw new StartupProblem(
                $"The studio would listen on {string.Join(", ", exposed)}, reachable from the network, with Studio:Auth '{options.Auth}'; set Studio:Auth to accounts (appsettings.json or PGX_Studio__Auth=accounts) or listen on localhost only.");
    }

    /// <summary>Checked before Kestrel starts, so a busy port is one sentence rather than a logged stack trace.</summary>
    public static void RequireFreePorts(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri) || uri.Port == 0) continue;
            var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : IPAddress.Any;
            try
            {
                var probe = new System.Net.Sockets.TcpListener(address, uri.Port);
                probe.Start();
                probe.Stop();
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                throw new StartupProblem(
                    $"Cannot listen on {url}: port {uri.Port} is in use by another program; stop it or start the studio with --urls http://localhost:<another port>.");
            }
        }
    }

    public static StartupProblem? FromBindFailure(Exception e, IEnumerable<string> urls)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is IOException && inner.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                return new StartupProblem(
                    $"Cannot listen on {string.Join(", ", urls)}: the port is in use by another program; stop it or start the studio with --urls http://localhost:<another port>.", e);
        return null;
    }
}
