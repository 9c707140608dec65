using PgxStudio.Persistence;

namespace PgxStudio.Runs;

/// <summary>
/// Who is acting. With Studio:Auth none: a display name entered once (kept in a cookie), and a browser on the machine
/// itself is an admin. With accounts: the signed-in account's name, an admin by its role.
/// </summary>
public sealed record StudioUser(string Name, bool IsAdmin)
{
    public const string CookieName = "pgx-owner";

    public bool HasName => !string.IsNullOrWhiteSpace(Name);

    public bool MayChange(Run run) => IsAdmin || string.Equals(run.Owner, Name, StringComparison.Ordinal);
}
