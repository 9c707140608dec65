namespace PgxStudio.Runs;

/// <summary>
/// The browser tab's user, cascaded to every page: the name (from the pgx-owner cookie), whether the browser is
/// on the machine itself, and the theme. Pages read <see cref="User"/> when they act; the layout changes it.
/// </summary>
public sealed class UserSession(string name, bool isLocal, bool darkMode)
{
    public string Name { get; private set; } = name;
    public bool IsLocal { get; } = isLocal;
    public bool DarkMode { get; set; } = darkMode;

    public StudioUser User => new(Name, IsLocal);

    public event Action? Changed;

    public void SetName(string name)
    {
        Name = name.Trim();
        Changed?.Invoke();
    }
}
