using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Accounts;
using PgxStudio.Engine.Native;
using PgxStudio.Jobs;
using PgxStudio.Live;
using PgxStudio.Persistence;
using PgxStudio.Runs;

namespace PgxStudio.Hosting;

/// <summary>
/// The studio's services without its servers: databases, queue storage, run handling, page services.
/// Component tests register exactly these over a temporary folder.
/// </summary>
public static class StudioServices
{
    public static IServiceCollection AddStudioCore(this IServiceCollection services, StudioPaths paths)
    {
        services.AddDbContextFactory<StudioDbContext>(o => o.UseSqlite($"Data Source={paths.Database}"));
        // Hangfire's storage and log provider are process-wide statics, bound to whichever host configured last. A
        // process can hold several studios (the tests do): each host keeps its own storage, registered before
        // AddHangfire so that its servers, client and dashboard use it, and HangfireLogs keeps logging working for
        // every live host.
        services.AddSingleton<JobStorage>(_ => new Jobs.QueueStorage(paths.QueueDatabase,
            new SQLiteStorageOptions { InvisibilityTimeout = StudioHost.JobInvisibilityTimeout, QueuePollInterval = TimeSpan.FromSeconds(1) }));
        services.AddSingleton<HangfireLogs.Membership>();
        services.AddHangfire((provider, config) => config
            .UseLogProvider(provider.GetRequiredService<HangfireLogs.Membership>().Provider)
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(provider.GetRequiredService<JobStorage>()));
        services.AddLocalization(); // resources next to their type: Localization/Strings.resx, Strings.zh-CN.resx
        services.AddScoped<Localization.PageStrings>(); // per circuit: live updates render in the browser's language
        services.AddTransient<MudBlazor.MudLocalizer, Localization.MudWords>(); // MudBlazor's own labels in that language too
        services.AddStudioAccounts(); // the tables exist in either Studio:Auth mode; pgx user add fills them before the switch
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<RunEvents>();
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<RunRecorder>();
        services.AddTransient<RunJob>();
        services.AddSingleton<RunService>();
        services.AddSingleton<StartupReconciler>();
        services.AddSingleton<RunQueries>();
        services.AddSingleton<RunFiles>();
        services.AddSingleton<SystemInfo.SystemFactsService>();
        services.AddSingleton<Monitoring.MachineMonitor>();
        // GPU runs wait, queued, until their memory plan fits beside the loaded chat models (RunJob asks; Queue page shows why)
        services.AddSingleton<Admission.RunMemoryNeed>();
        services.AddSingleton(provider => new Admission.MemoryAdmission(
            provider.GetRequiredService<Admission.RunMemoryNeed>(), provider.GetRequiredService<Serving.LoadedChatModels>(),
            provider.GetRequiredService<WorkerRegistry>(), provider.GetRequiredService<RunRecorder>(), provider.GetRequiredService<TorchInfo>())); // System page and top bar: a sample a second (started by StudioHost)
        services.AddSingleton<Serving.LoadedChatModels>();
        services.AddHttpClient<Serving.ServeLoadReader>(); // System and Benchmark pages: the loaded model's /metrics
        // Benchmark page: results in SQLite; one benchmark at a time per studio, outliving the page that started it.
        services.AddSingleton<Benchmarks.BenchmarkHistory>();
        services.AddSingleton<Benchmarks.BenchmarkRunner>();
        // Train page: its lists, checks, presets and the way a form becomes a queued run
        services.AddSingleton<Training.TrainChoices>();
        services.AddSingleton<Training.TrainFormCheck>();
        services.AddSingleton<Training.TrainPresets>();
        services.AddSingleton<Training.TrainLauncher>();
        services.AddSingleton<Training.TrainMemoryPlanner>();
        services.AddSingleton<Runs.RunPeakMemory>();
        // Chat page: loading the team's chat model as a serve run; each browser has its own conversation
        services.AddSingleton<Chat.ChatModelLoader>();
        services.AddHttpClient<Chat.ChatClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddScoped<Chat.ChatConversation>(); // per browser circuit: the conversation survives moving between pages
        services.AddSingleton<Chat.ChatHistory>();    // each person's saved conversations, in SQLite
        // Datasets page: the registry, previews, token lengths and uploads
        services.AddSingleton<Datasets.DatasetCatalog>();
        services.AddSingleton<Datasets.DatasetUpload>();
        // Evaluate page: predict runs on the GPU queue and their results
        services.AddSingleton<Evaluation.EvaluationLauncher>();
        services.AddSingleton<Evaluation.EvaluationHistory>();
        // Export page: exports as queued runs, and the finished ones under saves/exports/ with their serve commands
        services.AddSingleton<Exports.ExportLauncher>();
        services.AddSingleton<Exports.ExportCatalog>();
        services.AddSingleton(provider => TorchRuntime.Initialize(provider.GetRequiredService<TorchOptions>()));

        return services;
    }
}
