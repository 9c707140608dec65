using Microsoft.Extensions.Configuration;
using PgxStudio.Hosting;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>
/// Where the studio listens is asked in ASP.NET Core's usual ways, and its own default applies only when none says
/// anything; whichever way names an address beyond loopback, accounts are required.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class ListeningTests
{
    [Fact]
    public async Task ASPNETCORE_URLS_decides_where_the_studio_listens_over_the_committed_settings()
    {
        using var root = TempContentRoot.WithCommittedListening();
        var url = $"http://127.0.0.1:{StudioProcess.FreePort()}";
        await using var studio = StudioProcess.Start(root.Path, new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = url });

        Assert.Equal(new Uri(url), await studio.WaitUntilListeningAsync());
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(url + "/")).IsSuccessStatusCode);
    }

    public static TheoryData<string, string?, string?> WaysBeyondLoopback => new()
    {
        { "--urls", null, null },
        { "", "ASPNETCORE_URLS", "http://0.0.0.0:0" },
        { "", "Kestrel__Endpoints__Lan__Url", "http://0.0.0.0:0" },
        { "", "ASPNETCORE_HTTP_PORTS", "0" },
    };

    [Theory]
    [MemberData(nameof(WaysBeyondLoopback))]
    public async Task Every_way_of_listening_beyond_loopback_needs_accounts(string argument, string? variable, string? value)
    {
        using var root = TempContentRoot.WithCommittedListening();
        var environment = variable is null ? null : new Dictionary<string, string?> { [variable] = value };
        await using var studio = StudioProcess.Start(root.Path, environment, argument == "" ? [] : [argument, "http://0.0.0.0:0"]);

        Assert.Equal(1, await studio.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var line = Assert.Single(studio.Output, l => l.StartsWith("pgx: ", StringComparison.Ordinal));
        Assert.Contains("with Studio:Auth 'none'; set Studio:Auth to accounts", line);
    }

    [Fact]
    public void Without_any_address_given_the_default_is_localhost_5000_and_any_way_replaces_it()
    {
        var committed = new ConfigurationBuilder().AddJsonFile(Path.Combine(CommittedFiles.Root, "appsettings.json")).Build();
        Assert.True(ListenAddresses.NoneGiven(committed));
        Assert.Equal(["http://localhost:5000"], ListenAddresses.Effective(committed));

        IConfiguration With(params (string Key, string Value)[] values) => new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(CommittedFiles.Root, "appsettings.json"))
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        Assert.Equal(["http://127.0.0.1:7000", "http://[::1]:7000"], ListenAddresses.Effective(With(("urls", "http://127.0.0.1:7000; http://[::1]:7000"))));
        Assert.Equal(["http://0.0.0.0:7001"], ListenAddresses.Effective(With(("urls", "http://127.0.0.1:7000"), ("Kestrel:Endpoints:Lan:Url", "http://0.0.0.0:7001"))));
        Assert.Equal(["http://*:8080"], ListenAddresses.Effective(With(("http_ports", "8080"))));
        // The beyond-loopback check sees every address named, also one Kestrel's order would override.
        Assert.Equal(["http://0.0.0.0:7001", "http://127.0.0.1:7000"],
            ListenAddresses.Named(With(("urls", "http://127.0.0.1:7000"), ("Kestrel:Endpoints:Lan:Url", "http://0.0.0.0:7001"))));
    }
}
