using System.Net;
using System.Net.Http.Headers;
using PgxStudio.Tests.Queue;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Localization;

/// <summary>The language a real studio serves: the switch's cookie first, then Accept-Language, else English.</summary>
[Collection(StudioCollection.Name)]
public class CultureSwitchTests
{
    [Fact]
    public async Task The_switch_sets_a_cookie_goes_back_and_later_pages_come_in_Chinese()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = studio.BaseAddress };

        // No cookie, a browser in English: English.
        var first = await client.GetAsync("/train");
        var english = await first.Content.ReadAsStringAsync();
        Assert.True(first.IsSuccessStatusCode, $"GET /train answered {(int)first.StatusCode}: {english[..Math.Min(english.Length, 3000)]}");
        Assert.Contains("Learning rate", english);
        Assert.Contains("<html lang=\"en\">", english);

        var switched = await client.GetAsync("/culture?culture=zh-CN&back=%2Ftrain%3Fclone%3D1");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/train?clone=1", switched.Headers.Location!.OriginalString);
        var cookie = Assert.Single(switched.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(".AspNetCore.Culture=c%3Dzh-CN%7Cuic%3Dzh-CN", cookie);
        Assert.Contains("max-age=31536000", cookie, StringComparison.OrdinalIgnoreCase);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/train");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US")); // the cookie wins over the browser
        // Prerendered HTML writes Chinese as character references.
        var chinese = WebUtility.HtmlDecode(await (await client.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Contains("学习率", chinese);
        Assert.Contains("<html lang=\"zh-CN\">", chinese);
    }

    [Fact]
    public async Task A_Chinese_browser_gets_Chinese_unknown_languages_are_refused_and_the_switch_only_goes_back_to_this_studio()
    {
        using var root = new TempContentRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = studio.BaseAddress };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/datasets");
        request.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.8");
        Assert.Contains("搜索", WebUtility.HtmlDecode(await (await client.SendAsync(request)).Content.ReadAsStringAsync()));

        var unknown = await client.GetAsync("/culture?culture=fr&back=/");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Unknown language 'fr'", await unknown.Content.ReadAsStringAsync());

        foreach (var elsewhere in new[] { "//evil.example/", "/\\evil.example", "https://evil.example/" })
        {
            var response = await client.GetAsync($"/culture?culture=en&back={Uri.EscapeDataString(elsewhere)}");
            Assert.Equal("/", response.Headers.Location!.OriginalString);
        }
    }
}
