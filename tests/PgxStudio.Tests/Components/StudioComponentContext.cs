using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using PgxStudio.Engine.Native;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Components;

/// <summary>
/// A bUnit context with the studio's real services (SQLite database, queue storage, run service) over a
/// temporary content root, MudBlazor's services, and a user session to cascade.
/// </summary>
public sealed class StudioComponentContext : BunitContext, IAsyncDisposable
{
    readonly TempContentRoot _root = new();

    /// <param name="configure">Changes to the services before first use (a test's database interceptor, say).</param>
    public StudioComponentContext(string owner = "alice", bool isLocal = true, Action<IServiceCollection>? configure = null)
    {
        JSInterop.Mode = JSRuntimeMode.Loose; // MudBlazor's own JS calls are not under test
        var options = new StudioOptions();
        var paths = new StudioPaths(_root.Path, options);
        Services.AddSingleton(paths);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        Services.AddSingleton(new TorchOptions());
        Services.AddStudioCore(paths);
        Services.AddMudServices();
        configure?.Invoke(Services);
        Session = new UserSession(owner, isLocal, darkMode: false);

        using var db = Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContext();
        db.Database.Migrate();
        // Pages render as they do in the studio: interactive on a server circuit.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public UserSession Session { get; }

    public string ContentRoot => _root.Path;

    /// <summary>MudBlazor's services are only async-disposable, so tests use `await using`.</summary>
    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Dispose();
    }
}
