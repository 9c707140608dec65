using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Accounts;

/// <summary>Each account's API keys: made and revoked on the Profile page, checked on every REST call.</summary>
public sealed class ApiKeys(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider? clock = null)
{
    const string KeyStart = "pgx_";
    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Makes a key for the signed-in account; the returned text is the only time the key is seen.</summary>
    public async Task<string> CreateAsync(StudioUser user, string label)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var account = await ActiveAccountAsync(db, user.Name) ?? throw new AccountProblem("Sign in to an active account to make API keys.");
        label = label.Trim();
        if (label.Length is 0 or > 100) throw new AccountProblem("Give the key a label of 1 to 100 characters (what it is for).");
        var key = KeyStart + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        db.ApiKeys.Add(new ApiKey { AccountId = account.Id, Label = label, Prefix = key[..8], Hash = Hash(key), CreatedAt = _clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync();
        return key;
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(StudioUser user)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var id = await db.Users.Where(a => a.UserName == user.Name).Select(a => a.Id).FirstOrDefaultAsync();
        return await db.ApiKeys.AsNoTracking().Where(k => k.AccountId == id).OrderBy(k => k.CreatedAt).ToListAsync();
    }

    /// <summary>Only the key's own account revokes it.</summary>
    public async Task RevokeAsync(StudioUser user, int keyId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var removed = await db.ApiKeys.Where(k => k.Id == keyId && db.Users.Any(a => a.Id == k.AccountId && a.UserName == user.Name)).ExecuteDeleteAsync();
        if (removed == 0) throw new AccountProblem($"You have no API key {keyId}.");
    }

    /// <summary>Who a request's `Authorization: Bearer KEY` acts for; null without one, or for a wrong or revoked key.</summary>
    public Task<StudioUser?> UserOfRequestAsync(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? UserOfAsync(header["Bearer ".Length..].Trim()) : Task.FromResult<StudioUser?>(null);
    }

    /// <summary>Who a key acts for: its active account with that account's role now; null for a wrong or revoked key.</summary>
    public async Task<StudioUser?> UserOfAsync(string key)
    {
        if (!key.StartsWith(KeyStart, StringComparison.Ordinal)) return null;
        var hash = Hash(key);
        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await db.ApiKeys.Where(k => k.Hash == hash)
            .Join(db.Users, k => k.AccountId, a => a.Id, (k, a) => new { Key = k, Account = a }).FirstOrDefaultAsync();
        if (found is null || found.Account.Disabled) return null;
        found.Key.LastUsedAt = _clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        return new StudioUser(found.Account.UserName!, found.Account.Role == AccountRoles.Admin, found.Account.Role == AccountRoles.Viewer);
    }

    static Task<StudioAccount?> ActiveAccountAsync(StudioDbContext db, string name) =>
        db.Users.FirstOrDefaultAsync(a => a.UserName == name && !a.Disabled);

    static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
