using System.Diagnostics;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Layout;
using PgxStudio.Components.Pages.Machine;
using PgxStudio.Hosting;
using PgxStudio.Jobs;
using PgxStudio.Monitoring;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;

namespace PgxStudio.Tests.Monitoring;

/// <summary>The monitor's samples with the studio's real services, and the System page and top bar that show them.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class MachineMonitorTests
{
    static StudioComponentContext WithNvidiaSmi(string path) => new(configure: services =>
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new StudioOptions { NvidiaSmiPath = path })));

    [Fact]
    public async Task A_running_workers_memory_is_labelled_with_its_run_and_owner()
    {
        await using var ctx = WithNvidiaSmi(MachineFixtures.H100NvidiaSmi);
        var run = await ctx.Services.GetRequiredService<RunService>().EnqueueAsync(RunKind.Train, "tiny-lora", "bob", "stage: sft\n");
        using var worker = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var registry = ctx.Services.GetRequiredService<WorkerRegistry>();
        registry.Add(run.Id, worker);
        try
        {
            var monitor = ctx.Services.GetRequiredService<MachineMonitor>();
            var first = await monitor.SampleOnceAsync();
            var second = await monitor.SampleOnceAsync();

            var shown = Assert.Single(second.Workers);
            Assert.Equal((run.Id, "tiny-lora", "bob", "Train"), (shown.RunId, shown.RunName, shown.Owner, shown.Kind));
            Assert.True(shown.RssBytes > 0);
            Assert.Equal(2, second.Gpus.Count);
            Assert.NotNull(second.Memory);
            Assert.Equal([first, second], monitor.History);
        }
        finally
        {
            worker.Kill();
            registry.Remove(run.Id);
        }
    }

    [Fact]
    public async Task The_System_page_shows_a_GB10s_memory_as_not_supported_and_the_machine_memory_beside_it()
    {
        await using var ctx = WithNvidiaSmi(MachineFixtures.Gb10NvidiaSmi);
        var page = ctx.Render<SystemPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.NotNull(page.Find("#monitor-waiting"));

        await ctx.Services.GetRequiredService<MachineMonitor>().SampleOnceAsync();

        page.WaitForAssertion(() => Assert.Equal("not supported", page.Find("#monitor-gpu-0 .gpu-memory-used").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("n/a", page.Find("#monitor-gpu-0 .gpu-memory-total").TextContent);
        Assert.Equal("36 °C", page.Find("#monitor-gpu-0 .gpu-temperature").TextContent);
        Assert.Equal("3.0 W", page.Find("#monitor-gpu-0 .gpu-power").TextContent);
        Assert.NotNull(page.Find("#monitor-unified-note"));
        Assert.Matches(@"^\d+\.\d GB of \d+\.\d GB$", page.Find(".monitor-memory-used").TextContent);
        Assert.Equal(["monitor-cpu", "monitor-memory", "monitor-gpu-utilization", "monitor-gpu-temperature", "monitor-gpu-power", "monitor-gpu-clock"],
            page.FindAll(".metric-chart").Select(c => c.Id));
    }

    [Fact]
    public async Task The_System_page_shows_an_H100s_memory_in_MiB_without_the_unified_memory_note()
    {
        await using var ctx = WithNvidiaSmi(MachineFixtures.H100NvidiaSmi);
        await ctx.Services.GetRequiredService<MachineMonitor>().SampleOnceAsync();
        var page = ctx.Render<SystemPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Equal("72790 MiB", page.Find("#monitor-gpu-1 .gpu-memory-used").TextContent);
        Assert.Equal("4 %", page.Find("#monitor-gpu-1 .gpu-utilization").TextContent);
        Assert.Empty(page.FindAll("#monitor-unified-note"));
    }

    [Fact]
    public async Task The_top_bar_gauge_shows_CPU_and_memory_from_each_new_sample()
    {
        await using var ctx = WithNvidiaSmi(MachineFixtures.Gb10NvidiaSmi);
        var gauge = ctx.Render<MachineGauge>();
        Assert.Equal("CPU –", gauge.Find(".gauge-cpu").TextContent);
        var monitor = ctx.Services.GetRequiredService<MachineMonitor>();
        await monitor.SampleOnceAsync();
        var sample = await monitor.SampleOnceAsync(); // the second sample has a CPU % (the first has no earlier reading)
        gauge.WaitForAssertion(() => Assert.Equal($"CPU {sample.CpuPercent:0}%", gauge.Find(".gauge-cpu").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal($"Mem {sample.Memory!.UsedBytes / 1e9:0} / {sample.Memory.TotalBytes / 1e9:0} GB", gauge.Find(".gauge-memory").TextContent);
    }
}
