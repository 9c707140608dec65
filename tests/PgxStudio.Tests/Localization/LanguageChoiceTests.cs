using System.Net;
using System.Net.Http.Headers;
using PgxStudio.Accounts;
using PgxStudio.Localization;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Localization;

/// <summary>
/// Which language a page comes in without the switch's cookie: any Chinese the browser prefers gets Chinese, and with
/// accounts the person's last choice follows them to a browser they have not used before.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class LanguageChoiceTests
{
    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8", StudioCultures.Chinese)]
    [InlineData("zh", StudioCultures.Chinese)]
    [InlineData("zh-TW,en;q=0.5", StudioCultures.Chinese)]
    [InlineData("zh-Hans-SG", StudioCultures.Chinese)]
    [InlineData("fr-FR,zh;q=0.3,en;q=0.2", StudioCultures.Chinese)]
    [InlineData("en-US,zh;q=0.5", StudioCultures.English)]
    [InlineData("de;q=0.9,en-GB;q=0.8,zh-CN;q=0.95", StudioCultures.Chinese)]
    [InlineData("zh;q=0,en", StudioCultures.English)]
    [InlineData("fr-FR,de", null)]
    [InlineData("", null)]
    public void The_browser_s_first_language_the_studio_speaks_wins(string acceptLanguage, string? expected) =>
        Assert.Equal(expected, BrowserLanguage.Choose(acceptLanguage));

    [Fact]
    public async Task A_Taiwanese_browser_gets_the_Chinese_pages()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var client = new HttpClient { BaseAddress = studio.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/train");
        request.Headers.AcceptLanguage.ParseAdd("zh-TW,zh;q=0.9");
        var html = WebUtility.HtmlDecode(await (await client.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Contains("学习率", html);
        Assert.Contains("<html lang=\"zh-CN\">", html);
    }

    [Fact]
    public async Task The_sign_in_page_and_its_refusals_come_in_the_browser_s_language()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["Auth"] = "accounts");
        await using var studio = await StudioInstance.StartAsync(root.Path);
        await studio.Get<AccountService>().CreateByOperatorAsync("mei", "correct horse battery", AccountRoles.Member);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = studio.BaseAddress };
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9");

        var login = WebUtility.HtmlDecode(await browser.GetStringAsync("/login"));
        Assert.Contains("<html lang=\"zh-CN\">", login);
        Assert.Contains("PGX Studio · 登录", login);
        Assert.Contains("密码", login);
        var refused = await browser.PostAsync("/login", new FormUrlEncodedContent([new("name", "mei"), new("password", "wrong")]));
        Assert.Contains("用户名与密码不匹配。", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task With_accounts_the_language_a_person_chose_follows_them_to_another_browser()
    {
        const string password = "correct horse battery";
        using var root = new TempContentRoot(s => s["Studio"]!["Auth"] = "accounts");
        await using var studio = await StudioInstance.StartAsync(root.Path);
        await studio.Get<AccountService>().CreateByOperatorAsync("mei", password, AccountRoles.Member);
        await studio.Get<AccountService>().CreateByOperatorAsync("tom", password, AccountRoles.Member);

        async Task<HttpClient> SignedIn(string name)
        {
            var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = studio.BaseAddress };
            browser.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US"));
            var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("name", name), new("password", password)]));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            return browser;
        }
        async Task<string> Train(HttpClient browser) => WebUtility.HtmlDecode(await browser.GetStringAsync("/train"));

        using (var desk = await SignedIn("mei"))
        {
            Assert.Contains("Learning rate", await Train(desk));
            Assert.Equal(HttpStatusCode.Redirect, (await desk.GetAsync("/culture?culture=zh-CN&back=/train")).StatusCode);
            Assert.Contains("学习率", await Train(desk));
        }

        // A laptop with an English browser and no language cookie: mei's choice, not the browser's.
        using var laptop = await SignedIn("mei");
        Assert.Contains("学习率", await Train(laptop));
        // Someone else on an English browser still gets English.
        using var other = await SignedIn("tom");
        Assert.Contains("Learning rate", await Train(other));
        // The switch on the laptop changes her account's language back, and the cookie wins from then on.
        await laptop.GetAsync("/culture?culture=en&back=/train");
        using var third = await SignedIn("mei");
        Assert.Contains("Learning rate", await Train(third));
    }
}
