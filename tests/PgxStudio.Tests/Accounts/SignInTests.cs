using System.Net;
using System.Text.RegularExpressions;
using PgxStudio.Accounts;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Accounts;

/// <summary>Studio:Auth accounts on real Kestrel: the first admin, signing in, lockout, the login rate limit, the CLI.</summary>
[Collection(Queue.StudioCollection.Name)]
public class SignInTests
{
    const string Password = "correct horse battery";

    static TempContentRoot AccountsRoot() => new(s => s["Studio"]!["Auth"] = "accounts");

    static HttpClient Client(StudioInstance studio) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = studio.BaseAddress };

    static Task<HttpResponseMessage> Post(HttpClient http, string path, params (string, string)[] fields) =>
        http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));

    [Fact]
    public async Task The_machine_s_own_browser_creates_the_first_admin_once_and_is_signed_in_with_a_safe_cookie()
    {
        using var root = AccountsRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var http = Client(studio);

        var home = await http.GetAsync("/");
        Assert.Equal("/login?returnUrl=%2F", home.Headers.Location!.OriginalString);
        Assert.Equal("/setup", (await http.GetAsync("/login")).Headers.Location!.OriginalString);
        Assert.Contains("No account exists yet", await http.GetStringAsync("/setup"));

        var differ = await Post(http, "/setup", ("name", "ada"), ("password", Password), ("confirm", Password + "!"));
        Assert.Contains("The two passwords differ", await differ.Content.ReadAsStringAsync());
        var created = await Post(http, "/setup", ("name", "ada"), ("password", Password), ("confirm", Password));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var cookie = Assert.Single(created.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pgx-session="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var signedIn = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("ada (admin)", await signedIn.Content.ReadAsStringAsync());
        // Once an account exists, the setup page is gone for everyone.
        Assert.Equal("/login", (await http.GetAsync("/setup")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(http, "/setup", ("name", "eve"), ("password", Password), ("confirm", Password))).StatusCode);
        Assert.Null(await studio.Get<AccountService>().ActiveRoleAsync("eve"));

        await Post(http, "/logout");
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_and_a_guesser_is_slowed_down()
    {
        using var root = AccountsRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        await studio.Get<AccountService>().CreateByOperatorAsync("bob", Password, AccountRoles.Member);
        using var http = Client(studio);

        for (var i = 1; i < AccountSettings.FailuresBeforeLockout; i++)
        {
            var wrong = await Post(http, "/login", ("name", "bob"), ("password", "guess number " + i));
            Assert.Contains("That user name and password do not match.", await wrong.Content.ReadAsStringAsync());
        }
        // The last failure allowed locks the account, and then even the right password is refused.
        foreach (var password in new[] { "one guess too many", Password })
        {
            var locked = await Post(http, "/login", ("name", "bob"), ("password", password));
            Assert.Equal(HttpStatusCode.Locked, locked.StatusCode);
            Assert.Contains("Too many wrong passwords: this account is locked for 15 minutes", await locked.Content.ReadAsStringAsync());
            Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("pgx-session=")));
        }

        // Beyond the per-account lockout, one address gets only so many tries a minute whatever the account.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SignInPages.LoginTriesPerMinute * 2 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
            statuses.Add((await Post(http, "/login", ("name", "carol" + i), ("password", "guess"))).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Pgx_user_add_makes_an_admin_whose_printed_password_signs_in()
    {
        using var root = AccountsRoot();
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(120), "user", "add", "ann", "--admin", "--contentRoot", root.Path);
        Assert.True(code == 0, stderr);
        var password = Regex.Match(stdout, @"password: (\S+) ").Groups[1].Value;
        Assert.Equal(16, password.Length);

        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var http = Client(studio);
        var signedIn = await Post(http, "/login?returnUrl=%2Fruns", ("name", "ann"), ("password", password), ("returnUrl", "/runs"));
        Assert.Equal("/runs", signedIn.Headers.Location!.OriginalString);
        Assert.Equal(AccountRoles.Admin, await studio.Get<AccountService>().ActiveRoleAsync("ann"));
        var offSite = await Post(http, "/login", ("name", "ann"), ("password", password), ("returnUrl", "//evil.example/"));
        Assert.Equal("/", offSite.Headers.Location!.OriginalString);
    }
}
