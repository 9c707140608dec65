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

    public bool MayChange(Run run) => IsLocalAdmin || string.Equals(run.Owner, Name, StringComparison.Ordinal);
}
