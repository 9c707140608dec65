using Bunit;
using Microsoft.AspNetCore.Components;
using PgxStudio.Components.Layout;
using PgxStudio.Components.Pages.Machine;

namespace PgxStudio.Tests.Components;

/// <summary>Shares the studio collection: Hangfire logs through one process-wide provider.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class LayoutTests
{
    [Fact]
    public async Task The_layout_renders_the_name_the_drawer_pages_and_MudBlazor_providers()
    {
        await using var ctx = new StudioComponentContext(owner: "alice");
        var layout = ctx.Render<MainLayout>(p => p
            .AddCascadingValue(ctx.Session)
            .Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page body</p>"))));

        Assert.Contains("PGX Studio", layout.Find(".mud-appbar").TextContent);
        Assert.NotNull(layout.Find("#body"));
        var links = layout.FindAll(".mud-nav-link").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(new[] { "/", "/datasets", "/train", "/runs", "/chat", "/evaluate", "/export", "/benchmark", "/queue", "/system" }, links);
        Assert.Contains("alice", layout.Find("#owner-button").TextContent);
        // The providers MudBlazor's dialogs, popovers and snackbars need are present.
        Assert.NotEmpty(layout.FindAll(".mud-popover-provider"));
        Assert.NotNull(layout.Find("#pgx-interactive")); // the marker browser tests wait for
    }

    [Fact]
    public async Task The_theme_toggle_switches_between_light_and_dark()
    {
        await using var ctx = new StudioComponentContext();
        var layout = ctx.Render<MainLayout>(p => p.AddCascadingValue(ctx.Session)
            .Add(l => l.Body, (RenderFragment)(_ => { })));
        Assert.False(ctx.Session.DarkMode);
        layout.Find("#theme-toggle").Click();
        Assert.True(ctx.Session.DarkMode);
        ctx.JSInterop.VerifyInvoke("pgxStudio.setCookie");
    }

    [Fact]
    public async Task A_user_without_a_name_is_asked_for_one()
    {
        await using var ctx = new StudioComponentContext(owner: "");
        var layout = ctx.Render<MainLayout>(p => p.AddCascadingValue(ctx.Session)
            .Add(l => l.Body, (RenderFragment)(_ => { })));
        Assert.Contains("Enter your name", layout.Find("#owner-button").TextContent);
    }

    [Fact]
    public async Task The_system_page_shows_the_device_cores_and_queue()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<SystemPage>(p => p.AddCascadingValue(ctx.Session));

        Assert.Equal("cpu", page.Find(".fact-device").TextContent);
        Assert.Equal(Environment.ProcessorCount.ToString(), page.Find(".fact-cores").TextContent);
        Assert.Contains("GiB total", page.Find(".fact-memory").TextContent);
        Assert.Contains("0.107.0", page.Find(".fact-torchsharp").TextContent);
        Assert.Equal("0", page.Find(".queue-count-queued").TextContent);
        Assert.Contains("/hangfire", page.Markup); // local admins get the dashboard link
    }
}
