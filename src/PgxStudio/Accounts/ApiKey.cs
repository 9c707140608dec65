namespace PgxStudio.Accounts;

/// <summary>
/// A key an account made for scripts (the REST API, pgx remote). Only its SHA-256 is kept: the key itself is shown once,
/// when it is made. A random 190-bit key needs no slow hash; the hash is what a stolen database would give away.
/// </summary>
public sealed class ApiKey
{
    public int Id { get; set; }
    public string AccountId { get; set; } = "";
    public string Label { get; set; } = "";

    /// <summary>The key's first characters, so its owner can tell keys apart.</summary>
    public string Prefix { get; set; } = "";

    public string Hash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
