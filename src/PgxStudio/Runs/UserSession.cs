using PgxStudio.Accounts;

namespace PgxStudio.Runs;

/// <summary>
/// The browser tab's user, cascaded to every page: the name (the signed-in account, or with Studio:Auth none the
/// pgx-owner cookie), whether the browser is on the machine itself, the account's role and the theme. Pages read
/// <see cref="User"/> when they act; the layout changes it.
/// </summary>
/// <param name="role">The account's role; null with Studio:Auth none.</param>
public sealed class UserSession(string name, bool isLocal, bool darkMode, string? role = null)
{
    public string Name { get; private set; } = name;
    public bool IsLocal { get; } = isLocal;
    public bool DarkMode { get; set; } = darkMode;
    public string? Role { get; } = role;

    /// <summary>Signed in with an account (Studio:Auth accounts) rather than a typed name.</summary>
    public bool HasAccount => Role is not null;

    public bool IsAdmin => Role is null ? IsLocal : Role == AccountRoles.Admin;

    public bool IsViewer => Role == AccountRoles.Viewer;

    public StudioUser User => new(Name, IsAdmin, IsViewer);

    public event Action? Changed;

    public void SetName(string name)
    {
        Name = name.Trim();
        Changed?.Invoke();
    }
}
