using System.Diagnostics;

namespace PgxStudio.Engine.Tests.Training;

/// <summary>Runs an oracle script from this folder with Debian's /usr/bin/python3 (which has torch); fails when missing.</summary>
static class PythonOracle
{
    public static string ScriptPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, "Could not find PgxStudio.sln above the test folder.");
        var path = Path.Combine(dir!.FullName, "tests", "PgxStudio.Engine.Tests", "Training", name);
        Assert.True(File.Exists(path), $"Oracle script {path} is missing.");
        return path;
    }

    public static string[] Run(string script, params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 (with torch) is needed for this oracle.");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ScriptPath(script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"Oracle {script} failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
