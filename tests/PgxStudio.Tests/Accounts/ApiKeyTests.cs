using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Accounts;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;

namespace PgxStudio.Tests.Accounts;

/// <summary>API keys: shown once, kept hashed, acting as their account with its role now, revoked by their owner only.</summary>
public class ApiKeyTests
{
    const string Password = "correct horse battery";

    [Fact]
    public async Task A_key_is_stored_hashed_acts_as_its_account_and_dies_with_revocation_or_a_disabled_account()
    {
        await using var context = new StudioComponentContext();
        var accounts = context.Services.GetRequiredService<AccountService>();
        var keys = context.Services.GetRequiredService<ApiKeys>();
        await accounts.CreateFirstAdminAsync("ada", Password);
        var ada = new StudioUser("ada", true);
        await accounts.AddAsync("vic", Password, AccountRoles.Viewer, ada);
        var vic = new StudioUser("vic", false, true);

        var key = await keys.CreateAsync(vic, "laptop script");
        Assert.StartsWith("pgx_", key);
        await using (var db = await context.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            var stored = Assert.Single(db.ApiKeys);
            Assert.NotEqual(key, stored.Hash);
            Assert.DoesNotContain(key[8..], stored.Hash + stored.Prefix + stored.Label);
        }
        Assert.Equal(vic, await keys.UserOfAsync(key));
        Assert.Null(await keys.UserOfAsync(key + "x"));
        Assert.Null(await keys.UserOfAsync("Bearer " + key));

        // The key carries the account's role as it is now.
        await accounts.SetRoleAsync("vic", AccountRoles.Member, ada);
        Assert.Equal(new StudioUser("vic", false, false), await keys.UserOfAsync(key));
        await accounts.SetDisabledAsync("vic", true, ada);
        Assert.Null(await keys.UserOfAsync(key));
        await accounts.SetDisabledAsync("vic", false, ada);

        var listed = Assert.Single(await keys.ListAsync(vic));
        Assert.Equal(key[..8], listed.Prefix);
        Assert.NotNull(listed.LastUsedAt);
        var other = await Assert.ThrowsAsync<AccountProblem>(() => keys.RevokeAsync(ada, listed.Id));
        Assert.Equal($"You have no API key {listed.Id}.", other.Message);
        await keys.RevokeAsync(vic, listed.Id);
        Assert.Null(await keys.UserOfAsync(key));
    }
}
