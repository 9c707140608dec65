using Hangfire;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Engine.Native;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Hosting;

/// <summary>
/// Runs once before the job servers start: loads libtorch, migrates the database (WAL mode), opens the queue
/// storage, and reconciles runs a previous studio left behind. Problems become a <see cref="StartupProblem"/>.
/// </summary>
public sealed class StudioPreparation(IServiceProvider services, StudioPaths paths, SavesLock savesLock, ILogger<StudioPreparation> log) : IHostedService
{
    /// <summary>Held, not used: depending on it makes the container create the lock, and release it with the studio.</summary>
    public SavesLock SavesLock { get; } = savesLock;

    readonly SemaphoreSlim _once = new(1, 1);
    bool _prepared;

    /// <summary>Safe to call more than once; the command line calls it before starting the host so that a
    /// problem is reported in one sentence instead of through the host's error log.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        await _once.WaitAsync(cancellationToken);
        try
        {
            if (_prepared) return;
            await PrepareOnceAsync(cancellationToken);
            _prepared = true;
        }
        finally
        {
            _once.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => PrepareAsync(cancellationToken);

    async Task PrepareOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetRequiredService<TorchInfo>();
        }
        catch (TorchSetupException e)
        {
            throw new StartupProblem(e.Message, e);
        }

        DatabaseIntegrity.Check(paths.Database);
        DatabaseIntegrity.Check(paths.QueueDatabase);
        var dbFactory = services.GetRequiredService<IDbContextFactory<StudioDbContext>>();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        catch (SqliteException e)
        {
            throw StartupChecks.CorruptDatabase(paths.Database, e);
        }

        try
        {
            _ = services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();
        }
        catch (Exception e) when (Sqlite(e) is { } inner)
        {
            throw StartupChecks.CorruptDatabase(paths.QueueDatabase, inner);
        }

        await services.GetRequiredService<StartupReconciler>().ReconcileAsync();
        EnsureDemoModel();
        log.LogInformation("{Keys}", StudioKeys.Explanation(StudioKeys.Folder(paths.Saves)));
    }

    /// <summary>The embedded default model: created on first start (about a second) when it is the demo model.</summary>
    void EnsureDemoModel()
    {
        var model = paths.DefaultModel;
        if (File.Exists(Path.Combine(model, "config.json")) || !Path.GetFileName(model).StartsWith("pgx-demo-", StringComparison.Ordinal)) return;
        var size = Path.GetFileName(model) == "pgx-demo-small" ? "small" : "tiny";
        Engine.Models.Demo.DemoModel.Create(model, size);
    }

    /// <summary>EF Core speaks Microsoft.Data.Sqlite, the queue storage sqlite-net: either may report the damage.</summary>
    static Exception? Sqlite(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is SqliteException || x.GetType().FullName?.StartsWith("SQLite.", StringComparison.Ordinal) == true) return x;
        return null;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
