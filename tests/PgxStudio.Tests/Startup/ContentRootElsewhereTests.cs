using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>One studio started by hand over an empty folder: no appsettings.json, no wwwroot, nothing else.</summary>
public sealed class EmptyContentRootStudio : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("pgx-elsewhere-").FullName;
    public StudioProcess Studio { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Studio = StudioProcess.Start(Root, null, "--urls", $"http://127.0.0.1:{StudioProcess.FreePort()}");
        Url = await Studio.WaitUntilListeningAsync();
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// The studio's own web assets, logging defaults and key protection do not depend on the content root: a
/// `--contentRoot` elsewhere (a folder holding only data and saves) behaves like the repository's.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class ContentRootElsewhereTests(EmptyContentRootStudio fixture) : IClassFixture<EmptyContentRootStudio>
{
    [Theory]
    [InlineData("app.css")]
    [InlineData("favicon.svg")]
    [InlineData("js/studio.js")]
    public async Task It_serves_its_own_web_assets_and_creates_no_wwwroot_there(string asset)
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        var response = await http.GetAsync(asset);
        Assert.True(response.IsSuccessStatusCode, $"GET /{asset}: {(int)response.StatusCode}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "wwwroot", asset)), await response.Content.ReadAsByteArrayAsync());
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "wwwroot")));
    }

    [Fact]
    public async Task It_logs_at_the_studios_levels_not_one_line_per_request()
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        for (int i = 0; i < 5; i++) Assert.True((await http.GetAsync("/")).IsSuccessStatusCode);
        await Task.Delay(1500); // the queue's polling has had its turn too

        var chatty = fixture.Studio.Output.Where(l => l.StartsWith("info: Microsoft.AspNetCore", StringComparison.Ordinal)
            || l.StartsWith("info: Hangfire", StringComparison.Ordinal) || l.StartsWith("info: Microsoft.EntityFrameworkCore", StringComparison.Ordinal)).ToList();
        Assert.True(chatty.Count == 0, string.Join('\n', chatty));
    }

    [Fact]
    public void Its_data_protection_keys_are_closed_to_other_users_and_it_says_why_instead_of_warning()
    {
        var output = fixture.Studio.Output;
        Assert.DoesNotContain(output, l => l.Contains("No XML encryptor configured", StringComparison.Ordinal));
        Assert.Single(output, l => l.Contains("Browser-session keys are kept in", StringComparison.Ordinal));
        var keys = Path.Combine(fixture.Root, "saves", "keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));
    }
}
