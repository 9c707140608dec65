using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Benchmarks;
using PgxStudio.Chat;
using PgxStudio.Datasets;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;
using PgxStudio.Tests.Training;
using PgxStudio.Training;

namespace PgxStudio.Tests.Accounts;

/// <summary>
/// Ownership is decided in the services, whatever a page shows: a circuit that calls a service for someone else's run
/// (a forged click) is refused there, and a viewer changes nothing.
/// </summary>
public class OwnershipTests
{
    static readonly StudioUser Ada = new("ada", false);
    static readonly StudioUser Bob = new("bob", false);
    static readonly StudioUser Admin = new("root", true);
    static readonly StudioUser Vic = new("vic", false, IsViewer: true);

    [Fact]
    public async Task Only_the_owner_or_an_admin_cancels_resumes_or_deletes_a_run()
    {
        await using var context = new StudioComponentContext();
        var runs = context.Services.GetRequiredService<RunService>();
        var files = context.Services.GetRequiredService<RunFiles>();
        var first = await runs.EnqueueAsync(RunKind.Train, "ada's run", Ada.Name, "stage: sft\n");

        var cancel = await Assert.ThrowsAsync<RunRequestException>(() => runs.CancelAsync(first.Id, Bob));
        Assert.Equal($"Run {first.Id} belongs to ada; only they or an admin can cancel it.", cancel.Message);
        // Even a viewer claiming to be an admin: viewers change nothing.
        var viewer = await Assert.ThrowsAsync<RunRequestException>(() => runs.CancelAsync(first.Id, Vic with { IsAdmin = true }));
        Assert.Equal("vic is a viewer: viewers can look but not cancel runs; an admin can make you a member.", viewer.Message);
        Assert.Equal(RunStatus.Cancelled, (await runs.CancelAsync(first.Id, Ada)).Status);

        await Assert.ThrowsAsync<RunRequestException>(() => runs.ResumeAsync(first.Id, Bob));
        await Assert.ThrowsAsync<RunRequestException>(() => runs.ResumeAsync(first.Id, Vic));
        Assert.Equal(RunStatus.Queued, (await runs.ResumeAsync(first.Id, Admin)).Status);
        await runs.CancelAsync(first.Id, Admin);

        await Assert.ThrowsAsync<RunRequestException>(() => runs.DeleteAsync(first.Id, Bob, files));
        await Assert.ThrowsAsync<RunRequestException>(() => runs.DeleteAsync(first.Id, Vic, files));
        await runs.DeleteAsync(first.Id, Ada, files);
        Assert.Null(await context.Services.GetRequiredService<RunQueries>().GetAsync(first.Id));
    }

    [Fact]
    public async Task A_viewer_queues_loads_uploads_and_deletes_nothing()
    {
        await using var context = new StudioComponentContext();
        var s = context.Services;
        const string refused = "vic is a viewer: viewers can look but not";

        Assert.StartsWith(refused + " queue runs", (await Assert.ThrowsAsync<RunRequestException>(() => s.GetRequiredService<TrainLauncher>().StartAsync(TrainStudio.SmallForm(), Vic))).Message);
        Assert.StartsWith(refused + " load models", (await Assert.ThrowsAsync<RunRequestException>(() => s.GetRequiredService<ChatModelLoader>().LoadAsync(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null), Vic))).Message);
        Assert.StartsWith(refused + " delete benchmark results", (await Assert.ThrowsAsync<RunRequestException>(() => s.GetRequiredService<BenchmarkHistory>().DeleteAsync(1, Vic))).Message);
        Assert.StartsWith(refused + " stop benchmarks", Assert.Throws<RunRequestException>(() => s.GetRequiredService<BenchmarkRunner>().Stop(Vic)).Message);
        var upload = await Assert.ThrowsAsync<DatasetUploadException>(() => s.GetRequiredService<DatasetUpload>().RegisterAsync(
            new DatasetUploadRequest("peek", "peek.json", "alpaca", new Dictionary<string, string>(), new Dictionary<string, string>()), new MemoryStream("[]"u8.ToArray()), 2, Vic));
        Assert.StartsWith(refused + " add datasets", upload.Message);
        Assert.Empty(await s.GetRequiredService<RunQueries>().OwnersAsync());
    }
}
