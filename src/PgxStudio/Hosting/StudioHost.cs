using PgxStudio.Localization;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Hangfire.Dashboard;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;
using PgxStudio.Accounts;
using PgxStudio.Components;
using PgxStudio.Engine.Native;
using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Hosting;

/// <summary>Builds and starts the studio: configuration checks, databases, the job queue, the pages.</summary>
public static class StudioHost
{
    /// <summary>
    /// Longer than any job may run: Hangfire.Storage.SQLite hands a fetched job to another worker once this
    /// passes (not sliding), and a training can take days. Jobs are idempotent anyway.
    /// </summary>
    public static readonly TimeSpan JobInvisibilityTimeout = TimeSpan.FromDays(30);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var contentRoot = ContentRoot.Find(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != "studio").ToArray(),
            ContentRootPath = contentRoot,
            // The studio's own assets, wherever the content root (its data and saves) may be.
            WebRootPath = StudioDefaults.WebRoot,
        });
        builder.Configuration.AddStudioDefaults();
        builder.Configuration.AddEnvironmentVariables("PGX_");
        configure?.Invoke(builder);
        // Framework and package assets (blazor.web.js, MudBlazor) come from the build's static web asset
        // manifest; without this an unpublished build serves them only in Development.
        builder.WebHost.UseStaticWebAssets();
        // --urls, ASPNETCORE_URLS, Urls, Kestrel:Endpoints or ASPNETCORE_HTTP_PORTS decide; else the studio's default.
        if (ListenAddresses.NoneGiven(builder.Configuration)) builder.WebHost.UseUrls(ListenAddresses.Default);

        var studio = StartupChecks.BindOptions(builder.Configuration);
        var torchOptions = StartupChecks.BindTorchOptions(builder.Configuration);
        builder.Services.Configure<StudioOptions>(builder.Configuration.GetSection(StudioOptions.Section));
        builder.Services.AddSingleton(torchOptions);
        var paths = new StudioPaths(contentRoot, studio);
        builder.Services.AddSingleton(paths);
        var hosts = StudioHosts.From(builder.Configuration, studio);
        builder.Services.AddSingleton(hosts);
        StartupChecks.EnsureWritableFolder(paths.Saves, "Studio:SavesDirectory");
        if (StudioCertificate.Needed(builder.Configuration))
        {
            // An https:// address without a configured certificate: the studio's own, for this machine's names.
            var certificate = StudioCertificate.LoadOrCreate(paths.Saves, [.. hosts.Names, .. StudioHosts.MachineNames()]);
            builder.Services.AddSingleton(certificate);
            builder.WebHost.ConfigureKestrel(o => o.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate));
        }
        StartupChecks.RequireAccountsBeyondLoopback(ListenAddresses.Named(builder.Configuration), studio);

        // Before anything reads the databases or looks at workers: a second studio on this saves/ stops here.
        var savesLock = SavesLock.Acquire(paths.Saves);
        try
        {
            // Made by the container (and resolved by StudioPreparation), so the app's disposal releases it.
            builder.Services.AddSingleton(_ => savesLock);
            return Build(builder, paths, studio);
        }
        catch (Exception e) when (e is not HostAbortedException) // a test host takes over the built app: it keeps the lock
        {
            savesLock.Dispose();
            throw;
        }
    }

    static WebApplication Build(WebApplicationBuilder builder, StudioPaths paths, StudioOptions studio)
    {
        // Registered before the Hangfire servers: hosted services start in order, so no job runs before
        // libtorch is loaded, the databases are migrated and the runs are reconciled.
        builder.Services.AddSingleton<StudioPreparation>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<StudioPreparation>());
        builder.Services.AddStudioCore(paths);
        builder.Services.AddHostedService(provider => provider.GetRequiredService<Monitoring.MachineMonitor>());
        // One worker on "gpu": the machine has one GPU and its jobs must never overlap.
        builder.Services.AddHangfireServer(o => { o.ServerName = $"{Environment.MachineName}:gpu"; o.Queues = [Queues.Gpu]; o.WorkerCount = 1; o.SchedulePollingInterval = TimeSpan.FromSeconds(1); });
        builder.Services.AddHangfireServer(o => { o.ServerName = $"{Environment.MachineName}:serve"; o.Queues = [Queues.Serve]; o.WorkerCount = studio.ServeWorkers; });
        builder.Services.AddHangfireServer(o => { o.ServerName = $"{Environment.MachineName}:default"; o.Queues = [Queues.Default]; o.WorkerCount = 2; });

        // A browser call may take a while: the first chart loads Plotly (megabytes of JS), and a LAN laptop or a machine
        // busy training is slow. 30 s, not 5: a chart whose first draw timed out never drew at all. Live updates bound
        // their own calls more tightly (MetricChart).
        builder.Services.AddRazorComponents().AddInteractiveServerComponents(o => o.JSInteropDefaultCallTimeout = TimeSpan.FromSeconds(30));
        // Messages appear at the bottom right: at the top right they covered a run's Cancel/Resume buttons.
        builder.Services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        builder.Services.AddHttpContextAccessor();
        if (studio.UsesAccounts) builder.Services.AddSignIn();
        // Stop the job servers beside the web server, not after it: a browser that left mid-call can hold the web
        // server's shutdown, and running workers must still get their graceful stop.
        builder.Services.Configure<HostOptions>(o => o.ServicesStopConcurrently = true);
        // Keys under saves/ so circuits and antiforgery tokens survive a restart of the studio (this user only: StudioKeys).
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(StudioKeys.Prepare(paths.Saves)))
            .SetApplicationName("pgx-studio");

        var app = builder.Build();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseForwardedHeadersWhenTrusted(studio); // first: every check after it sees the real client
        app.UseHostGuard();
        app.UseHttpsForTheLan(app.Configuration);
        app.UseLiveConnectionsEndOnStop();
        if (studio.UsesAccounts) app.UseSignIn();
        app.UseStaticFiles();
        app.UseStudioCultures();
        app.UseAntiforgery();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DashboardTitle = "PGX Studio queue",
            AppPath = "/",
        });
        // Downloads of a run's files (predictions, results, configs); only files inside that run's folder.
        app.MapGet("/runs/{id:int}/files/{*path}", async (int id, string path, Runs.RunQueries runs, Runs.RunFiles files) =>
            await runs.GetAsync(id) is { } run && files.Find(run, path) is { } file
                ? Results.File(file, "application/octet-stream", Path.GetFileName(file))
                : Results.NotFound());
        app.MapCultureSwitch();
        if (studio.UsesAccounts)
        {
            Api.RunsApi.MapRunsApi(app);
            Api.OpenAiProxy.MapOpenAiProxy(app);
        }
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication? app = null;
        try
        {
            app = Build(args);
            StartupChecks.RequireFreePorts(ListenAddresses.Effective(app.Configuration));
            await app.Services.GetRequiredService<StudioPreparation>().PrepareAsync();
            await app.StartAsync();
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            try
            {
                // What Kestrel really bound, whichever way it was asked: nothing beyond loopback without accounts.
                StartupChecks.RequireAccountsBeyondLoopback(addresses, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StudioOptions>>().Value);
            }
            catch (StartupProblem)
            {
                await app.StopAsync();
                throw;
            }
            // Before the listening line, which scripts and tests wait for.
            if (app.Services.GetService<StudioCertificate>() is { } https)
                Console.WriteLine($"HTTPS certificate {https.Path}: self-signed, SHA-256 fingerprint {https.Fingerprint}; a browser that warns about it is safe to continue when it shows this fingerprint.");
            Console.WriteLine($"PGX Studio is listening on {string.Join(", ", addresses)} (content root {app.Environment.ContentRootPath}).");
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (StartupProblem problem)
        {
            Console.Error.WriteLine($"pgx: {problem.Message}");
            return 1;
        }
        catch (Exception e) when (StartupChecks.FromBindFailure(e, app is null ? [] : ListenAddresses.Effective(app.Configuration)) is { } problem)
        {
            Console.Error.WriteLine($"pgx: {problem.Message}");
            return 1;
        }
        finally
        {
            if (app is not null) await app.DisposeAsync();
        }
    }
}
