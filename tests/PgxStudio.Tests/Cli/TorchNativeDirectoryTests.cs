using System.Diagnostics;
using System.Text.Json;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

/// <summary>
/// Torch:NativeDirectory, the GB10/CUDA path, exercised on the CPU: a folder holding TorchSharp-cpu's own natives
/// stands in for a CUDA build of LibTorchSharp (same loading path, same files a custom build puts there).
/// </summary>
public class TorchNativeDirectoryTests
{
    static readonly TimeSpan Minutes = TimeSpan.FromMinutes(3);

    [Fact]
    public void A_worker_verb_reads_Torch_NativeDirectory_and_names_it_when_it_is_wrong()
    {
        using var root = new TempContentRoot();
        var (code, stdout, stderr) = Pgx.RunDll(Pgx.Dll, null, new Dictionary<string, string>
        {
            ["PGX_HOME"] = root.Path, ["PGX_Torch__NativeDirectory"] = "/nonexistent/libtorch-cuda",
        }, Minutes, "bench", "train", "--shape", "demo-tiny", "--layers", "1", "--seq", "8", "--steps", "1", "--methods", "lora", "--peer", "none", "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        // The tests' Debug build adds bench's own line about the build (BenchModelVerbsTests); the refusal is the one other.
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("pgx bench: this is a Debug build"));
        Assert.Equal("pgx: Torch:NativeDirectory '/nonexistent/libtorch-cuda' does not exist; build it with scripts/build-libtorchsharp.sh or clear the setting to use the CPU package.", Assert.Single(lines));
    }

    [Fact]
    public void A_pgx_carrying_TorchSharp_cpu_natives_refuses_a_native_directory_in_one_sentence_instead_of_aborting()
    {
        using var root = new TempContentRoot();
        var natives = TorchSharpCpuNatives();
        var (code, _, stderr) = Pgx.RunDll(Pgx.Dll, null, new Dictionary<string, string> { ["PGX_Torch__NativeDirectory"] = natives },
            Minutes, "env", "--json", "--contentRoot", root.Path);
        Assert.Equal(2, code);
        Assert.Contains("Torch:NativeDirectory is set but this pgx carries TorchSharp-cpu's own natives", stderr);
        Assert.Contains("-p:TorchNatives=false", stderr);
    }

    [Fact]
    public void A_pgx_published_without_TorchSharp_natives_trains_on_the_libtorch_of_its_native_directory()
    {
        using var root = new TempContentRoot();
        var app = Path.Combine(root.Path, "app");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        Publish(configuration, app);
        Assert.Empty(Directory.EnumerateFiles(app, "*.so*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith("libtorch") || Path.GetFileName(f) is "libLibTorchSharp.so" or "libc10.so"));
        var dll = Path.Combine(app, "pgx.dll");

        var (bare, _, bareError) = Pgx.RunDll(dll, null, new Dictionary<string, string>(), Minutes, "env", "--contentRoot", root.Path);
        Assert.Equal(2, bare);
        Assert.Contains("No libLibTorchSharp.so next to the app", bareError);
        Assert.Contains("set Torch:NativeDirectory", bareError);

        var natives = TorchSharpCpuNatives();
        var environment = new Dictionary<string, string> { ["PGX_HOME"] = root.Path, ["PGX_Torch__NativeDirectory"] = natives };
        var (code, stdout, stderr) = Pgx.RunDll(dll, null, environment, Minutes, "env", "--json");
        Assert.True(code == 0, stderr);
        var facts = JsonDocument.Parse(stdout).RootElement;
        Assert.StartsWith($"custom ({natives};", facts.GetProperty("Native libraries").GetString());
        // The libtorch really running is the one the folder names (its link's target), not a copy next to the app.
        Assert.Equal(new FileInfo(Path.Combine(natives, "libtorch_cpu.so")).ResolveLinkTarget(true)!.FullName,
            facts.GetProperty("libtorch loaded from").GetString());

        var (trained, result, trainError) = Pgx.RunDll(dll, null, environment, Minutes,
            "bench", "train", "--shape", "demo-tiny", "--layers", "1", "--seq", "16", "--steps", "1", "--methods", "lora", "--peer", "none", "--json");
        Assert.True(trained == 0, trainError);
        var row = JsonDocument.Parse(result).RootElement.GetProperty("results")[0];
        Assert.True(row.GetProperty("tokens_per_second").GetDouble() > 0, result);
    }

    /// <summary>
    /// TorchSharp-cpu's natives from the NuGet cache as a Torch:NativeDirectory: libtorch linked (460 MB stays put),
    /// LibTorchSharp copied (the process may patch its libstdc++ requirement in place).
    /// </summary>
    static string TorchSharpCpuNatives()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var libtorch = Path.Combine(packages, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
        var folder = Directory.CreateTempSubdirectory("pgx-natives-").FullName;
        foreach (var file in Directory.EnumerateFiles(libtorch))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), file);
        File.Copy(Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(folder, "libLibTorchSharp.so"));
        return folder;
    }

    /// <summary>The publish scripts/make-cuda-bundle.sh makes, framework-dependent and from this test run's build.</summary>
    static void Publish(string configuration, string output)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", Path.Combine(RepoPaths.Root, "src", "PgxStudio"), "-c", configuration, "--no-build",
                     "-p:TorchNatives=false", "-o", output, "-v", "q", "-nologo" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(8)), "dotnet publish did not finish in 8 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet publish failed: {stdout.Result}{stderr.Result}");
    }
}
