using System.Text.Json;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

public class EnvVerbTests
{
    [Fact]
    public void Env_prints_the_same_facts_as_the_system_page_as_json()
    {
        using var root = new TempContentRoot();
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "env", "--json", "--contentRoot", root.Path);
        Assert.True(code == 0, stderr);
        var facts = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("cpu", facts.GetProperty("Device").GetString());
        Assert.Equal(Environment.ProcessorCount.ToString(), facts.GetProperty("Cores").GetString());
        Assert.Equal("0.107.0", facts.GetProperty("TorchSharp").GetString());
        Assert.StartsWith("2.10.0", facts.GetProperty("libtorch").GetString());
        Assert.Contains("GiB total", facts.GetProperty("Memory").GetString());
        // The libtorch file this process mapped: TorchSharp-cpu's copy next to the app.
        Assert.EndsWith(Path.Combine("runtimes", "linux-x64", "native", "libtorch_cpu.so"), facts.GetProperty("libtorch loaded from").GetString());
    }

    [Fact]
    public void Selftest_runs_on_its_own_from_a_terminal_and_prints_json_events()
    {
        using var root = new TempContentRoot();
        var output = Path.Combine(root.Saves, "selftest");
        var (code, stdout, _) = Pgx.Run(TimeSpan.FromSeconds(60), "selftest", "--steps", "5", "--out", output);
        Assert.Equal(0, code);
        var events = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("started", events[0].GetProperty("event").GetString());
        Assert.Equal(5, events.Count(e => e.GetProperty("event").GetString() == "step"));
        Assert.Equal("finished", events[^1].GetProperty("event").GetString());
        Assert.True(File.Exists(Path.Combine(output, "result.json")));
    }
}
