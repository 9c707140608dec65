namespace PgxStudio.Accounts;

/// <summary>What an account may do: admins change anything and manage accounts, members their own work, viewers nothing.</summary>
public static class AccountRoles
{
    public const string Admin = "admin";
    public const string Member = "member";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Member, Viewer];

    public static bool IsKnown(string? role) => role is Admin or Member or Viewer;
}
