using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// Who is using the studio in this browser: a display name entered once (kept in a cookie) until accounts
/// exist. A browser on the machine itself is a local admin.
/// </summary>
public sealed record StudioUser(string Name, bool IsLocalAdmin)
{
    public const string CookieName = "pgx-owner";

    public bool HasName => !string.IsNullOrWhiteSpace(Name);

    public bool MayChange(Run run) => MayChangeOwnedBy(run.Owner);

    /// <summary>A thing owned by <paramref name="owner"/> (a run, a loaded chat model) may be changed by them or an admin.</summary>
    public bool MayChangeOwnedBy(string owner) => IsLocalAdmin || string.Equals(owner, Name, StringComparison.Ordinal);
}
