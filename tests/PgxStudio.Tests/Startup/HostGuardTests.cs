using System.Net;
using PgxStudio.Hosting;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>
/// Only the studio's own names reach it (DNS rebinding points another site's name at this machine), and only its own
/// pages may open its live connection; whichever way its endpoints are configured.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class HostGuardTests
{
    [Fact]
    public void Allowed_hosts_are_the_listen_addresses_the_loopback_names_and_the_configured_ones()
    {
        var loopbackOnly = new StudioHosts(["http://127.0.0.1:5000"], []);
        Assert.True(loopbackOnly.Allows("localhost"));
        Assert.True(loopbackOnly.Allows("[::1]"));
        Assert.False(loopbackOnly.Allows("evil.example"));
        Assert.False(loopbackOnly.Allows(Dns.GetHostName()));
        Assert.False(loopbackOnly.Allows(""));

        var lan = new StudioHosts(["http://192.168.7.10:5000"], ["Studio.Team.Lan"]);
        Assert.True(lan.Allows("192.168.7.10"));
        Assert.True(lan.Allows("studio.team.lan."));
        Assert.False(lan.Allows("192.168.7.11"));

        // Every address of the machine: its name and its own addresses, still not another site's name.
        var wildcard = new StudioHosts(["http://0.0.0.0:5000"], []);
        Assert.True(wildcard.Allows(Dns.GetHostName()));
        Assert.False(wildcard.Allows("evil.example"));
    }

    [Fact]
    public async Task A_LAN_endpoint_from_Kestrel_Endpoints_refuses_a_foreign_Host_and_a_foreign_Origin()
    {
        using var root = TempContentRoot.WithCommittedListening();
        var port = StudioProcess.FreePort();
        await using var studio = StudioProcess.Start(root.Path, new Dictionary<string, string?>
        {
            ["Kestrel__Endpoints__Lan__Url"] = $"http://0.0.0.0:{port}",
            ["PGX_Studio__Auth"] = "accounts",
        });
        await studio.WaitUntilListeningAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = $"http://127.0.0.1:{port}/";

        // evil.example pointed at this machine: the name is not the studio's.
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Host = "evil.example" } };
        var refused = await http.SendAsync(rebinding);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("This studio does not answer to the host name 'evil.example'; open it at an address it listens on, or add the name to Studio:AllowedHosts.",
            await refused.Content.ReadAsStringAsync());

        // The studio's own names get the studio (its sign-in, which sends this machine's browser to create the first admin).
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync(url)).StatusCode);
        using var byName = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Host = $"{Dns.GetHostName()}:{port}" } };
        Assert.Equal(HttpStatusCode.Redirect, (await http.SendAsync(byName)).StatusCode);

        // A page of another site opening the live connection: its Origin gives it away.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, url + "_blazor/negotiate?negotiateVersion=1") { Headers = { { "Origin", "http://evil.example" } } };
        var foreign = await http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("Requests from pages at 'http://evil.example' are refused", await foreign.Content.ReadAsStringAsync());
        using var own = new HttpRequestMessage(HttpMethod.Post, url + "_blazor/negotiate?negotiateVersion=1") { Headers = { { "Origin", $"http://127.0.0.1:{port}" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(own)).StatusCode); // past the Origin check, to the sign-in
    }
}
