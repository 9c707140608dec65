namespace PgxStudio.Audit;

/// <summary>One thing someone did that changed the studio: who, when, what they did (queued, cancelled…) and to what.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string Who { get; set; } = "";
    public string Action { get; set; } = "";
    public string Subject { get; set; } = "";
}
