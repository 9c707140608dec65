using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PgxStudio.Persistence;

namespace PgxStudio.Accounts;

/// <summary>Identity over the studio's database: its password, lockout and user-name rules.</summary>
public static class AccountSettings
{
    public const int MinimumPasswordLength = 10;
    public const int FailuresBeforeLockout = 5;
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);

    public static IdentityBuilder AddStudioAccounts(this IServiceCollection services)
    {
        // Identity's store wants the context itself; the studio registers a factory (each call its own context).
        services.TryAddScoped(provider => provider.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContext());
        var identity = services.AddIdentityCore<StudioAccount>(o =>
        {
            // Length is what makes a password hard to guess; forced symbol classes only make people write it down.
            o.Password.RequiredLength = MinimumPasswordLength;
            o.Password.RequireDigit = false;
            o.Password.RequireLowercase = false;
            o.Password.RequireUppercase = false;
            o.Password.RequireNonAlphanumeric = false;
            o.Password.RequiredUniqueChars = 4;
            o.Lockout.AllowedForNewUsers = true;
            o.Lockout.MaxFailedAccessAttempts = FailuresBeforeLockout;
            o.Lockout.DefaultLockoutTimeSpan = LockoutTime;
            o.User.RequireUniqueEmail = false;
        }).AddEntityFrameworkStores<StudioDbContext>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<ApiKeys>();
        return identity;
    }
}
