using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Runs;

namespace PgxStudio.Accounts;

/// <summary>One account as the Users page lists it.</summary>
public sealed record AccountView(string Name, string Role, bool Disabled, DateTimeOffset? LockedOutUntil, DateTime CreatedAt);

/// <summary>
/// Accounts for pages, the start-up pages and the CLI. Whoever asks is checked here, against the database, not by
/// which buttons a page shows: only an active admin manages accounts, and everyone changes only their own password.
/// </summary>
public sealed class AccountService(IServiceScopeFactory scopes, TimeProvider? clock = null)
{
    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<bool> AnyAsync()
    {
        using var scope = scopes.CreateScope();
        return await Users(scope).Users.AnyAsync();
    }

    public async Task<IReadOnlyList<AccountView>> ListAsync(StudioUser by)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        await RequireAdminAsync(users, by);
        var now = _clock.GetUtcNow();
        return (await users.Users.AsNoTracking().OrderBy(a => a.UserName).ToListAsync())
            .Select(a => new AccountView(a.UserName!, a.Role, a.Disabled, a.LockoutEnd > now ? a.LockoutEnd : null, a.CreatedAt)).ToList();
    }

    /// <summary>The role of an active account; null when there is no such account or it is disabled.</summary>
    public async Task<string?> ActiveRoleAsync(string name)
    {
        using var scope = scopes.CreateScope();
        return await Users(scope).FindByNameAsync(name) is { Disabled: false } account ? account.Role : null;
    }

    /// <summary>The first admin, from the machine itself (setup page) or the CLI: refused once any account exists.</summary>
    public async Task CreateFirstAdminAsync(string name, string password)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        if (await users.Users.AnyAsync())
            throw new AccountProblem("The studio already has accounts; sign in, and an admin can add more on the Users page.");
        await CreateAsync(users, name, password, AccountRoles.Admin);
    }

    /// <summary>Any account, for whoever runs the studio's own command line on the machine (pgx user add).</summary>
    public async Task CreateByOperatorAsync(string name, string password, string role)
    {
        using var scope = scopes.CreateScope();
        await CreateAsync(Users(scope), name, password, role);
    }

    public async Task AddAsync(string name, string password, string role, StudioUser by)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        await RequireAdminAsync(users, by);
        await CreateAsync(users, name, password, role);
    }

    public async Task SetRoleAsync(string name, string role, StudioUser by)
    {
        if (!AccountRoles.IsKnown(role)) throw new AccountProblem($"Role '{role}' is not one of admin, member, viewer.");
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var account = await OtherAccountAsync(users, name, by, "change your own role");
        account.Role = role;
        await Check(users.UpdateAsync(account));
        await users.UpdateSecurityStampAsync(account); // the account's signed-in browsers pick up the new role
    }

    public async Task SetDisabledAsync(string name, bool disabled, StudioUser by)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var account = await OtherAccountAsync(users, name, by, "disable your own account");
        account.Disabled = disabled;
        await Check(users.UpdateAsync(account));
        await users.UpdateSecurityStampAsync(account); // signs it out everywhere
    }

    public async Task ChangePasswordAsync(StudioUser user, string current, string replacement)
    {
        using var scope = scopes.CreateScope();
        var users = Users(scope);
        var account = await users.FindByNameAsync(user.Name) is { Disabled: false } found ? found
            : throw new AccountProblem("You are not signed in to an active account; sign in again.");
        await Check(users.ChangePasswordAsync(account, current, replacement));
    }

    /// <summary>A password for a new account when none is given: 16 characters from 58, about 93 bits.</summary>
    public static string GeneratePassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_", 16);

    static UserManager<StudioAccount> Users(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<StudioAccount>>();

    async Task CreateAsync(UserManager<StudioAccount> users, string name, string password, string role)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new AccountProblem("Enter a user name of 1 to 100 characters.");
        if (!AccountRoles.IsKnown(role)) throw new AccountProblem($"Role '{role}' is not one of admin, member, viewer.");
        if (await users.FindByNameAsync(name) is not null) throw new AccountProblem($"There is already an account named {name}.");
        await Check(users.CreateAsync(new StudioAccount { UserName = name, Role = role, CreatedAt = _clock.GetUtcNow().UtcDateTime }, password));
    }

    static async Task RequireAdminAsync(UserManager<StudioAccount> users, StudioUser by)
    {
        if (await users.FindByNameAsync(by.Name) is not { Disabled: false, Role: AccountRoles.Admin })
            throw new AccountProblem("Only an admin can manage accounts.");
    }

    static async Task<StudioAccount> OtherAccountAsync(UserManager<StudioAccount> users, string name, StudioUser by, string what)
    {
        await RequireAdminAsync(users, by);
        if (string.Equals(name, by.Name, StringComparison.OrdinalIgnoreCase))
            throw new AccountProblem($"You cannot {what}; another admin can.");
        return await users.FindByNameAsync(name) ?? throw new AccountProblem($"There is no account named {name}.");
    }

    static async Task Check(Task<IdentityResult> result)
    {
        var outcome = await result;
        if (!outcome.Succeeded) throw new AccountProblem(string.Join(" ", outcome.Errors.Select(e => e.Description)));
    }
}

/// <summary>A refused account request, in one sentence a page can show as it is.</summary>
public sealed class AccountProblem(string message) : Exception(message);
