using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Audit;
using PgxStudio.Components.Pages.Audit;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;

namespace PgxStudio.Tests.Accounts;

/// <summary>The audit log: what the services did, by whom, newest first, for admins only.</summary>
public class AuditLogTests
{
    [Fact]
    public async Task Queueing_cancelling_resuming_deleting_loading_and_unloading_are_recorded_and_only_admins_read_them()
    {
        await using var context = new StudioComponentContext(owner: "root", isLocal: true);
        var runs = context.Services.GetRequiredService<RunService>();
        var files = context.Services.GetRequiredService<RunFiles>();
        var audit = context.Services.GetRequiredService<AuditLog>();
        var ada = new StudioUser("ada", false);
        var root = new StudioUser("root", true);

        var train = await runs.EnqueueAsync(RunKind.Train, "lora-1", "ada", "stage: sft\n");
        await runs.CancelAsync(train.Id, ada);
        await runs.ResumeAsync(train.Id, ada);
        await runs.CancelAsync(train.Id, root);
        await runs.DeleteAsync(train.Id, root, files);
        var serve = await runs.EnqueueAsync(RunKind.Serve, "chat-demo", "bob", "model_name_or_path: x\n");
        await runs.CancelAsync(serve.Id, new StudioUser("bob", false));
        // A refused action is not recorded as done.
        await Assert.ThrowsAsync<RunRequestException>(() => runs.DeleteAsync(serve.Id, ada, files));

        var entries = (await audit.LatestAsync(root)).Reverse().Select(e => (e.Who, e.Action, e.Subject)).ToList();
        Assert.Equal(
        [
            ("ada", "queued", $"train run #{train.Id} “lora-1”"), ("ada", "cancelled", $"train run #{train.Id} “lora-1”"),
            ("ada", "resumed", $"train run #{train.Id} “lora-1”"), ("root", "cancelled", $"train run #{train.Id} “lora-1”"),
            ("root", "deleted", $"train run #{train.Id} “lora-1”"),
            ("bob", "loaded", $"serve run #{serve.Id} “chat-demo”"), ("bob", "unloaded", $"serve run #{serve.Id} “chat-demo”"),
        ], entries);

        var refused = await Assert.ThrowsAsync<RunRequestException>(() => audit.LatestAsync(ada));
        Assert.Equal("Only an admin can read the audit log.", refused.Message);
        await Assert.ThrowsAsync<RunRequestException>(() => audit.LatestAsync(new StudioUser("vic", true, IsViewer: true)));

        var page = context.Render<AuditPage>(p => p.AddCascadingValue(context.Session));
        page.WaitForAssertion(() => Assert.Equal(7, page.FindAll(".audit-action").Count), TimeSpan.FromSeconds(30));
        Assert.Equal("unloaded", page.FindAll(".audit-action")[0].TextContent);
    }
}
