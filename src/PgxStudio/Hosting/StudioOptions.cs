namespace PgxStudio.Hosting;

/// <summary>The <c>Studio</c> configuration section. Relative paths are under the content root (the repo root).</summary>
public sealed class StudioOptions
{
    public const string Section = "Studio";

    /// <summary>Run outputs, the studio's databases and its own models.</summary>
    public string SavesDirectory { get; set; } = "saves";

    /// <summary>Datasets and dataset_info.json, laid out as LLaMA-Factory does.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Runs and metrics (EF Core). Empty: saves/studio.db.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>The job queue (Hangfire). Empty: saves/hangfire.db.</summary>
    public string? QueueDatabasePath { get; set; }

    /// <summary>Folders searched for Hugging Face model folders (the hub cache layout too).</summary>
    public List<string> ModelRoots { get; set; } = ["saves/models"];

    /// <summary>The model the studio offers first; created on first start when it is the demo model.</summary>
    public string DefaultModel { get; set; } = "saves/models/pgx-demo-tiny";

    /// <summary>Largest dataset upload accepted, in megabytes.</summary>
    public int UploadLimitMegabytes { get; set; } = 200;

    /// <summary>
    /// none: a display name typed once per browser, and a browser on the machine is an admin; allowed only while the
    /// studio listens on loopback. accounts: everyone signs in (ASP.NET Core Identity accounts in the studio's database).
    /// </summary>
    public string Auth { get; set; } = "none";

    public bool UsesAccounts => Auth.Equals("accounts", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Host names browsers may use besides the ones the studio listens on and the machine's own (a DNS alias, a
    /// reverse proxy's name). Any other Host header is refused, so a page of another site cannot reach the studio by
    /// pointing its name at this machine.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Read the client's address, scheme and host from a reverse proxy on this machine (X-Forwarded-For, -Proto, -Host).
    /// Off by default: with it on and no proxy in front, a browser could claim any address.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>Jobs in the queue's "serve" and "default" pools.</summary>
    public int ServeWorkers { get; set; } = 4;

    /// <summary>
    /// The nvidia-smi the machine monitor asks for GPU utilisation, temperature, power and clocks each second: a name
    /// on PATH or a full path (tests point it at a fake that prints recorded answers).
    /// </summary>
    public string NvidiaSmiPath { get; set; } = "nvidia-smi";

    /// <summary>How long a worker gets to stop gracefully after a cancel before it is killed.</summary>
    public int CancelGraceSeconds { get; set; } = 120;
}
