using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>
/// Each bad set-up is started for real (`pgx` as a process) and must end in one sentence naming the problem
/// and the fix, exit code 1, and no stack trace.
/// </summary>
public class StartupProblemTests
{
    [Fact]
    public void An_invalid_appsettings_value_names_the_key()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["UploadLimitMegabytes"] = "lots");
        var error = StartExpectingProblem(root);
        Assert.Contains("appsettings.json", error);
        Assert.Contains("Studio:UploadLimitMegabytes", error);
    }

    [Fact]
    public void An_out_of_range_value_says_what_is_allowed()
    {
        using var root = new TempContentRoot(s => s["Torch"]!["Device"] = "tpu");
        Assert.Equal("pgx: appsettings.json: Torch:Device is 'tpu' but must be auto, cpu or cuda.", StartExpectingProblem(root));
    }

    [Fact]
    public void An_unusable_saves_folder_says_so()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["SavesDirectory"] = "appsettings.json/saves");
        var error = StartExpectingProblem(root);
        Assert.Contains("is not writable", error);
        Assert.Contains("Studio:SavesDirectory", error);
    }

    [Fact]
    public void A_corrupt_database_file_names_the_file_and_the_fix()
    {
        using var root = new TempContentRoot();
        File.WriteAllText(Path.Combine(root.Saves, "studio.db"), new string('x', 8192));
        var error = StartExpectingProblem(root);
        Assert.Contains("studio.db is not a usable SQLite database", error);
        Assert.Contains("move it aside", error);
    }

    [Fact]
    public void A_port_in_use_is_one_sentence()
    {
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            int port = ((IPEndPoint)busy.LocalEndpoint).Port;
            using var root = new TempContentRoot(s => s["Urls"] = $"http://127.0.0.1:{port}");
            var error = StartExpectingProblem(root);
            Assert.Contains($"port {port} is in use", error);
        }
        finally
        {
            busy.Stop();
        }
    }

    [Fact]
    public void A_missing_native_directory_points_at_the_build_script()
    {
        using var root = new TempContentRoot(s => s["Torch"]!["NativeDirectory"] = "/nonexistent/libtorch-cuda");
        var error = StartExpectingProblem(root);
        Assert.Contains("Torch:NativeDirectory '/nonexistent/libtorch-cuda' does not exist", error);
    }

    [Fact]
    public void Listening_beyond_loopback_without_accounts_is_refused()
    {
        using var root = new TempContentRoot(s => s["Urls"] = "http://0.0.0.0:0");
        Assert.Contains("reachable from the network, with Studio:Auth 'none'; set Studio:Auth to accounts", StartExpectingProblem(root));
    }

    static string StartExpectingProblem(TempContentRoot root)
    {
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "--contentRoot", root.Path);
        Assert.True(code == 1, $"expected exit code 1, got {code}; stdout: {stdout}; stderr: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("pgx: ", lines[0]);
        Assert.DoesNotContain("   at ", stdout + stderr);
        return lines[0].Trim();
    }
}
