using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Audit;

/// <summary>
/// The studio's record of who queued, cancelled, resumed, deleted, loaded and unloaded what, and when; admins read it on
/// the Audit page. Written after the action succeeded: a write the disk refuses is logged, and the action stands.
/// </summary>
public sealed class AuditLog(IDbContextFactory<StudioDbContext> dbFactory, ILogger<AuditLog> log, TimeProvider? clock = null)
{
    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task RecordAsync(string who, string action, string subject)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            db.AuditEntries.Add(new AuditEntry { At = _clock.GetUtcNow().UtcDateTime, Who = who, Action = action, Subject = subject });
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (StorageFailure.Is(e))
        {
            log.LogError(e, "Audit: could not record that {Who} {Action} {Subject}.", who, action, subject);
        }
    }

    /// <summary>The latest entries, newest first; admins only.</summary>
    public async Task<IReadOnlyList<AuditEntry>> LatestAsync(StudioUser by, int count = 500)
    {
        if (!by.IsAdmin || by.IsViewer) throw new RunRequestException("Only an admin can read the audit log.");
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Take(count).ToListAsync();
    }

    /// <summary>A run as the log names it: "train run #12 “name”".</summary>
    public static string Subject(Run run) => $"{run.Kind.ToString().ToLowerInvariant()} run #{run.Id} “{run.Name}”";
}
