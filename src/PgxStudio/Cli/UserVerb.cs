using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Accounts;
using PgxStudio.Hosting;
using PgxStudio.Persistence;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx user add NAME [--admin | --role R]`: an account in the studio's database, from the machine the studio runs on
/// (the first admin, or any account). The password is the first line of stdin when one is piped in, else one is
/// generated and printed once.
/// </summary>
public static class UserVerb
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The account's user name." };
        var admin = new Option<bool>("--admin") { Description = "Make it an admin (same as --role admin)." };
        var role = new Option<string>("--role") { Description = "admin, member or viewer.", DefaultValueFactory = _ => AccountRoles.Member };
        role.AcceptOnlyFromAmong(AccountRoles.All);
        var contentRoot = new Option<string?>("--contentRoot") { Description = "The studio's folder (appsettings.json, saves/); found as the studio finds it when left out." };
        var add = new Command("add", "Add an account; the password is the first line of stdin when one is piped in, else it is generated and printed.") { name, admin, role, contentRoot };
        add.SetAction(async (parse, ct) =>
        {
            var args = parse.GetValue(contentRoot) is { } root ? new[] { "--contentRoot", root } : [];
            var typed = Console.IsInputRedirected ? (await Console.In.ReadLineAsync(ct))?.Trim() : null;
            var password = string.IsNullOrEmpty(typed) ? AccountService.GeneratePassword() : typed;
            try
            {
                await using var services = await OpenAsync(ContentRoot.Find(args), ct);
                await services.GetRequiredService<AccountService>().CreateByOperatorAsync(parse.GetValue(name)!, password, parse.GetValue(admin) ? AccountRoles.Admin : parse.GetValue(role)!);
            }
            catch (Exception e) when (e is AccountProblem or StartupProblem)
            {
                Console.Error.WriteLine($"pgx: {e.Message}");
                return 1;
            }
            Console.WriteLine(!string.IsNullOrEmpty(typed)
                ? $"Added {parse.GetValue(name)} with the password from stdin."
                : $"Added {parse.GetValue(name)}; password: {password} (shown only now; they change it on their profile page).");
            return 0;
        });
        return new Command("user", "Manage the studio's accounts (Studio:Auth accounts).") { add };
    }

    /// <summary>The accounts over the studio's own database (migrated first, as the studio would).</summary>
    static async Task<ServiceProvider> OpenAsync(string contentRoot, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().SetBasePath(contentRoot)
            .AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("PGX_").Build();
        var paths = new StudioPaths(contentRoot, StartupChecks.BindOptions(configuration));
        StartupChecks.EnsureWritableFolder(paths.Saves, "Studio:SavesDirectory");
        var services = new ServiceCollection().AddLogging()
            .AddDbContextFactory<StudioDbContext>(o => o.UseSqlite($"Data Source={paths.Database}"));
        services.AddStudioAccounts();
        var provider = services.BuildServiceProvider();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync(ct))
            await db.Database.MigrateAsync(ct);
        return provider;
    }
}
