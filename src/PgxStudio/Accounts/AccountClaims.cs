using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace PgxStudio.Accounts;

/// <summary>The session cookie carries the account's role, so pages know it without a database call.</summary>
public sealed class AccountClaims(UserManager<StudioAccount> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StudioAccount>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StudioAccount account)
    {
        var identity = await base.GenerateClaimsAsync(account);
        identity.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, account.Role));
        return identity;
    }
}
