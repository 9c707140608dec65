using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Accounts;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;

namespace PgxStudio.Tests.Accounts;

/// <summary>The account rules, asked of the service as any page or forged circuit would ask it, over a real database.</summary>
public class AccountServiceTests
{
    const string Password = "correct horse battery";

    static async Task<(StudioComponentContext, AccountService)> WithAdmin()
    {
        var context = new StudioComponentContext();
        var accounts = context.Services.GetRequiredService<AccountService>();
        await accounts.CreateFirstAdminAsync("ada", Password);
        return (context, accounts);
    }

    [Fact]
    public async Task The_first_admin_is_made_once_and_after_that_only_an_admin_adds_accounts()
    {
        var (context, accounts) = await WithAdmin();
        await using var _ = context;
        var again = await Assert.ThrowsAsync<AccountProblem>(() => accounts.CreateFirstAdminAsync("eve", Password));
        Assert.Equal("The studio already has accounts; sign in, and an admin can add more on the Users page.", again.Message);

        await accounts.AddAsync("bob", Password, AccountRoles.Member, new StudioUser("ada", true));
        Assert.Equal(AccountRoles.Member, await accounts.ActiveRoleAsync("bob"));

        // A member's circuit claiming to be an admin is not believed: the database says who is.
        var forged = await Assert.ThrowsAsync<AccountProblem>(() => accounts.AddAsync("eve", Password, AccountRoles.Admin, new StudioUser("bob", true)));
        Assert.Equal("Only an admin can manage accounts.", forged.Message);
        await Assert.ThrowsAsync<AccountProblem>(() => accounts.SetRoleAsync("bob", AccountRoles.Admin, new StudioUser("bob", true)));
        await Assert.ThrowsAsync<AccountProblem>(() => accounts.ListAsync(new StudioUser("nobody", true)));
        Assert.Null(await accounts.ActiveRoleAsync("eve"));
    }

    [Fact]
    public async Task An_admin_sets_roles_and_disables_others_but_not_themself()
    {
        var (context, accounts) = await WithAdmin();
        await using var _ = context;
        var ada = new StudioUser("ada", true);
        await accounts.AddAsync("vic", Password, AccountRoles.Viewer, ada);
        await accounts.SetRoleAsync("vic", AccountRoles.Member, ada);
        Assert.Equal(AccountRoles.Member, await accounts.ActiveRoleAsync("vic"));

        await accounts.SetDisabledAsync("vic", true, ada);
        Assert.Null(await accounts.ActiveRoleAsync("vic"));
        var listed = Assert.Single(await accounts.ListAsync(ada), a => a.Name == "vic");
        Assert.True(listed.Disabled);

        var self = await Assert.ThrowsAsync<AccountProblem>(() => accounts.SetDisabledAsync("ada", true, ada));
        Assert.Equal("You cannot disable your own account; another admin can.", self.Message);
        await Assert.ThrowsAsync<AccountProblem>(() => accounts.SetRoleAsync("ada", AccountRoles.Viewer, ada));
        var unknown = await Assert.ThrowsAsync<AccountProblem>(() => accounts.SetRoleAsync("vic", "owner", ada));
        Assert.Equal("Role 'owner' is not one of admin, member, viewer.", unknown.Message);
    }

    [Fact]
    public async Task Users_change_their_own_password_only_knowing_the_current_one_and_short_ones_are_refused()
    {
        var (context, accounts) = await WithAdmin();
        await using var _ = context;
        var ada = new StudioUser("ada", true);
        var wrong = await Assert.ThrowsAsync<AccountProblem>(() => accounts.ChangePasswordAsync(ada, "not it at all", "a brand new passphrase"));
        Assert.Equal("Incorrect password.", wrong.Message);
        var tooShort = await Assert.ThrowsAsync<AccountProblem>(() => accounts.ChangePasswordAsync(ada, Password, "short"));
        Assert.Contains($"at least {AccountSettings.MinimumPasswordLength} characters", tooShort.Message);
        await accounts.ChangePasswordAsync(ada, Password, "a brand new passphrase");
        var old = await Assert.ThrowsAsync<AccountProblem>(() => accounts.ChangePasswordAsync(ada, Password, "yet another passphrase"));
        Assert.Equal("Incorrect password.", old.Message);

        var duplicate = await Assert.ThrowsAsync<AccountProblem>(() => accounts.AddAsync("ADA", Password, AccountRoles.Member, ada));
        Assert.Equal("There is already an account named ADA.", duplicate.Message);
    }
}
