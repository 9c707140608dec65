using Microsoft.AspNetCore.Identity;

namespace PgxStudio.Accounts;

/// <summary>A person's login (ASP.NET Core Identity's user, in the studio's own SQLite database) and their role.</summary>
public sealed class StudioAccount : IdentityUser
{
    /// <summary>admin, member or viewer (<see cref="AccountRoles"/>).</summary>
    public string Role { get; set; } = AccountRoles.Member;

    /// <summary>A disabled account cannot sign in, and its open pages lose it at the next check.</summary>
    public bool Disabled { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The language the person last chose with the switch (en, zh-CN); null until they choose one.</summary>
    public string? Language { get; set; }
}
