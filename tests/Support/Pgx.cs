using System.Diagnostics;

namespace PgxStudio.TestSupport;

/// <summary>Runs the real `pgx` executable (as `dotnet pgx.dll`) the way a user or the studio would.</summary>
public static class Pgx
{
    public static string Dll => typeof(Program).Assembly.Location;

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) =>
        RunIn(null, timeout, args);

    /// <summary>Runs pgx with <paramref name="directory"/> as its working folder (relative paths in configs resolve there).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunIn(string? directory, TimeSpan timeout, params string[] args) =>
        RunDll(Dll, directory, new Dictionary<string, string>(), timeout, args);

    /// <summary>Runs a pgx.dll (this build's, or a published one) with extra environment variables (PGX_Torch__…).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunDll(string dll, string? directory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null) info.WorkingDirectory = directory;
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("PGX_HOME");
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pgx {string.Join(' ', args)} did not exit within {timeout.TotalSeconds:0}s; output so far: {stdout}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
