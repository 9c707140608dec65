using Hangfire;
using Hangfire.States;
using PgxStudio.Persistence;

namespace PgxStudio.Jobs;

/// <summary>Which queue a kind of run waits in, and putting its job there.</summary>
public static class RunQueue
{
    public static string Of(RunKind kind) => kind switch
    {
        // An export loads and merges the whole model (and calibrates NVFP4/FP8 on it): it waits its turn like training.
        RunKind.Train or RunKind.Predict or RunKind.SelfTest or RunKind.Export => Queues.Gpu,
        RunKind.Serve => Queues.Serve,
        _ => Queues.Default,
    };

    /// <summary>Creates the run's Hangfire job in its queue and returns the job id.</summary>
    public static string Enqueue(IBackgroundJobClient client, Run run) => Of(run.Kind) switch
    {
        Queues.Gpu => client.Create<RunJob>(j => j.RunOnGpu(run.Id, CancellationToken.None), new EnqueuedState(Queues.Gpu)),
        Queues.Serve => client.Create<RunJob>(j => j.RunServe(run.Id, CancellationToken.None), new EnqueuedState(Queues.Serve)),
        _ => client.Create<RunJob>(j => j.RunDefault(run.Id, CancellationToken.None), new EnqueuedState(Queues.Default)),
    };
}
