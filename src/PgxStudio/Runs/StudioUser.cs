using PgxStudio.Persistence;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Runs;

/// <summary>
/// Who is acting. With Studio:Auth none: a display name entered once (kept in a cookie), and a browser on the machine
/// itself is an admin. With accounts: the signed-in account's name, an admin by its role.
/// </summary>
/// <param name="IsViewer">An account with the viewer role: it reads everything and changes nothing.</param>
public sealed record StudioUser(string Name, bool IsAdmin, bool IsViewer = false)
{
    public const string CookieName = "pgx-owner";

    public bool HasName => !string.IsNullOrWhiteSpace(Name);

    public bool MayChange(Run run) => MayChangeOwnedBy(run.Owner);

    /// <summary>A thing owned by <paramref name="owner"/> (a run, a loaded chat model) may be changed by them or an admin; never by a viewer.</summary>
    public bool MayChangeOwnedBy(string owner) => !IsViewer && (IsAdmin || string.Equals(owner, Name, StringComparison.Ordinal));

    /// <summary>Every service that changes something asks this first, whatever the page showed.</summary>
    public void RequireMayAct(Sentence what)
    {
        if (IsViewer) throw new RunRequestException("{0} is a viewer: viewers can look but not {1}; an admin can make you a member.", Name, what);
    }
}
