using Microsoft.Extensions.Logging;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.TestSetup;

/// <summary>The trail a timed-out wait prints: Hangfire's retried failures kept, routine lines left out.</summary>
public class StudioLogTrailTests
{
    [Fact]
    public void Keeps_hangfire_failures_and_warnings_but_not_routine_lines()
    {
        using var factory = LoggerFactory.Create(StudioLogTrail.AddTo);
        string tag = Guid.NewGuid().ToString("N");
        var worker = factory.CreateLogger("Hangfire.Server.Worker");
        worker.LogDebug(new InvalidOperationException("database is locked"), "retried {Tag}", tag);
        worker.LogDebug("routine {Tag}", tag);
        var page = factory.CreateLogger("PgxStudio.Components.Pages.Chat");
        page.LogInformation("routine {Tag}", tag);
        page.LogWarning("warned {Tag}", tag);

        var mine = StudioLogTrail.Recent(200).Where(l => l.Contains(tag)).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Contains(mine, l => l.Contains($"Hangfire.Server.Worker: retried {tag} [InvalidOperationException: database is locked]"));
        Assert.Contains(mine, l => l.Contains($"Warning PgxStudio.Components.Pages.Chat: warned {tag}"));
    }
}
