using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Benchmarks;
using PgxStudio.Engine.Native;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>The studio's real services (migrated SQLite database included) over a temporary content root.</summary>
public sealed class BenchmarkServices : IAsyncDisposable
{
    readonly TempContentRoot _root = new();
    readonly ServiceProvider _provider;

    public BenchmarkServices()
    {
        var options = new StudioOptions();
        var paths = new StudioPaths(_root.Path, options);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(paths);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(new TorchOptions());
        services.AddStudioCore(paths);
        _provider = services.BuildServiceProvider();
        using var db = Get<IDbContextFactory<StudioDbContext>>().CreateDbContext();
        db.Database.Migrate();
    }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public BenchmarkRunner Runner => Get<BenchmarkRunner>();
    public BenchmarkHistory History => Get<BenchmarkHistory>();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _root.Dispose();
    }
}
