using System.Net;
using PgxStudio.Accounts;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>
/// Studio:TrustForwardedHeaders: behind a reverse proxy on this machine, the studio sees the real client (not "the
/// machine itself"), its HTTPS and the proxy's host name; without the setting, such headers change nothing.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class ForwardedHeadersTests
{
    const string Password = "correct horse battery";

    static HttpRequestMessage FromTheProxy(HttpMethod method, string path, HttpContent? content = null) => new(method, path)
    {
        Content = content,
        Headers = { { "X-Forwarded-For", "192.168.1.50" }, { "X-Forwarded-Proto", "https" }, { "X-Forwarded-Host", "studio.team.lan" } },
    };

    [Fact]
    public async Task Behind_a_trusted_proxy_a_LAN_browser_is_not_the_machine_and_its_session_cookie_is_Secure()
    {
        using var root = new TempContentRoot(s =>
        {
            s["Studio"]!["Auth"] = "accounts";
            s["Studio"]!["TrustForwardedHeaders"] = true;
            s["Studio"]!["AllowedHosts"] = new System.Text.Json.Nodes.JsonArray("studio.team.lan");
        });
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = studio.BaseAddress };

        // The first-admin page is for the machine itself: a LAN browser through the proxy does not get it.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(FromTheProxy(HttpMethod.Get, "/setup"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/setup")).StatusCode);

        await studio.Get<AccountService>().CreateByOperatorAsync("ada", Password, AccountRoles.Member);
        var login = await http.SendAsync(FromTheProxy(HttpMethod.Post, "/login",
            new FormUrlEncodedContent([new("name", "ada"), new("password", Password)])));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pgx-session="));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);

        // The proxy's host name must still be one the studio answers to.
        using var foreign = FromTheProxy(HttpMethod.Get, "/login");
        foreign.Headers.Remove("X-Forwarded-Host");
        foreign.Headers.Add("X-Forwarded-Host", "evil.example");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(foreign)).StatusCode);
    }

    [Fact]
    public async Task Without_the_setting_forwarded_headers_are_ignored()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["Auth"] = "accounts");
        await using var studio = await StudioInstance.StartAsync(root.Path);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = studio.BaseAddress };
        // Still the machine itself (the headers are anyone's to send), and evil.example in X-Forwarded-Host is not read.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FromTheProxy(HttpMethod.Get, "/setup"))).StatusCode);
    }
}
