using Microsoft.Playwright;
using PgxStudio.Accounts;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>Studio:Auth accounts in a real browser: signing in through the login page, and a guesser locked out.</summary>
public class AccountsTests
{
    const string Password = "correct horse battery";

    public static TempContentRoot AccountsRoot() => new(s => s["Studio"]!["Auth"] = "accounts");

    /// <summary>A fresh browser context signed in through the login page as <paramref name="name"/>.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, StudioInstance studio, string name, string password = Password)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(studio.BaseAddress, "/runs").ToString());
        await page.FillAsync("#login-name", name);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync(new Uri(studio.BaseAddress, "/runs").ToString());
        await Browser.WaitForInteractiveAsync(page);
        return page;
    }

    [Fact]
    public async Task An_account_signs_in_on_the_login_page_and_repeated_bad_passwords_lock_another_out()
    {
        using var root = AccountsRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var accounts = studio.Get<AccountService>();
        await accounts.CreateByOperatorAsync("ada", Password, AccountRoles.Admin);
        await accounts.CreateByOperatorAsync("bob", Password, AccountRoles.Member);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        var ada = await SignInAsync(browser, studio, "ada");
        await Assertions.Expect(ada.Locator("#account-menu")).ToContainTextAsync("ada (admin)");

        var guesser = await (await browser.NewContextAsync()).NewPageAsync();
        await guesser.GotoAsync(new Uri(studio.BaseAddress, "/login").ToString());
        for (var i = 1; i < AccountSettings.FailuresBeforeLockout; i++)
        {
            await guesser.FillAsync("#login-name", "bob");
            await guesser.FillAsync("#login-password", "guess " + i);
            await guesser.ClickAsync("#login-submit");
            await Assertions.Expect(guesser.Locator("#sign-in-problem")).ToHaveTextAsync("That user name and password do not match.");
        }
        foreach (var password in new[] { "one guess too many", Password })
        {
            await guesser.FillAsync("#login-name", "bob");
            await guesser.FillAsync("#login-password", password);
            await guesser.ClickAsync("#login-submit");
            await Assertions.Expect(guesser.Locator("#sign-in-problem")).ToContainTextAsync("Too many wrong passwords: this account is locked");
        }
        await Browser.ScreenshotAsync(guesser, "accounts-locked-out");

        // Ada's session is out of reach of the page's scripts and of other sites' forms.
        var session = Assert.Single(await ada.Context.CookiesAsync(), c => c.Name == "pgx-session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
    }

    [Fact]
    public async Task A_key_made_on_the_profile_page_queues_a_run_that_appears_on_the_runs_page()
    {
        using var root = AccountsRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        await studio.Get<AccountService>().CreateByOperatorAsync("ada", Password, AccountRoles.Member);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        var ada = await SignInAsync(browser, studio, "ada");
        await ada.GotoAsync(new Uri(studio.BaseAddress, "/profile").ToString());
        await Browser.WaitForInteractiveAsync(ada);
        await ada.Locator("#api-key-label").FillAsync("nightly script");
        await ada.Locator("#api-key-make").ClickAsync();
        var key = (await ada.Locator("#api-key-made").InnerTextAsync()).Trim();
        await Assertions.Expect(ada.Locator(".api-key")).ToContainTextAsync("nightly script");

        using var http = studio.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "train_lora", "pgx_demo_lora_sft.yaml"));
        var queued = await http.PostAsync("/api/runs?name=from-the-api", new StringContent(yaml));
        Assert.Equal(System.Net.HttpStatusCode.Created, queued.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

        await ada.GotoAsync(new Uri(studio.BaseAddress, "/runs").ToString());
        await Assertions.Expect(ada.Locator("body")).ToContainTextAsync("from-the-api");
        await Browser.ScreenshotAsync(ada, "api-run-on-runs-page");
        await studio.Get<PgxStudio.Runs.RunService>().CancelAsync(id, new PgxStudio.Runs.StudioUser("ada", false));
    }
}
