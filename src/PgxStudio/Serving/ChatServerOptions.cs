namespace PgxStudio.Serving;

/// <summary>Where `pgx serve` listens and who may call it.</summary>
public sealed record ChatServerOptions
{
    /// <summary>Loopback by default: the studio's chat page is the client; LAN serving is an explicit choice.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; }
    /// <summary>When set, every /v1 request must send "Authorization: Bearer {ApiKey}".</summary>
    public string? ApiKey { get; init; }
    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>Receives one line per notable event (queue waits, cancelled generations, backend failures).</summary>
    public Action<string>? Log { get; init; }
}
