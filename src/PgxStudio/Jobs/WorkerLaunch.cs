using System.Diagnostics;
using PgxStudio.Persistence;

namespace PgxStudio.Jobs;

/// <summary>
/// How to start a worker: this same program with a verb. The studio may itself run as `pgx` (apphost),
/// `dotnet pgx.dll`, or inside a test host, so the worker is always started as `dotnet pgx.dll` unless the
/// apphost sits beside it.
/// </summary>
public static class WorkerLaunch
{
    /// <summary>Environment flag telling a verb it is supervised: it then stops when its stdin closes.</summary>
    public const string SupervisedVariable = "PGX_SUPERVISED";

    public static ProcessStartInfo For(Run run, string contentRoot)
    {
        var info = ThisProgram(VerbArguments(run, contentRoot));
        info.WorkingDirectory = contentRoot;
        info.RedirectStandardInput = true;
        info.Environment[SupervisedVariable] = "1";
        info.Environment["PGX_HOME"] = contentRoot;
        info.Environment["PGX_RUN_ID"] = run.Id.ToString();
        if (WorkerAllocator.Suits(run.Kind)) WorkerAllocator.Apply(info.Environment);
        return info;
    }

    /// <summary>This program with a verb line, its output read by the caller (workers, benchmark cases).</summary>
    public static ProcessStartInfo ThisProgram(IEnumerable<string> verbArgs)
    {
        var dll = typeof(WorkerLaunch).Assembly.Location;
        var appHost = Path.Combine(Path.GetDirectoryName(dll)!, "pgx");
        var info = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo(DotNetHost()) { ArgumentList = { dll } };
        foreach (var a in verbArgs) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    /// <summary>The verb line for each kind of run; the run's config travels as a file in its output folder.</summary>
    static IReadOnlyList<string> VerbArguments(Run run, string contentRoot)
    {
        var output = Path.Combine(contentRoot, run.OutputDir);
        return run.Kind switch
        {
            RunKind.SelfTest => ["selftest", "--config", ConfigFile(run, output, "selftest.yaml"), "--out", output],
            // The run's folder is its output_dir, whatever the config says, so the studio finds its files.
            RunKind.Train => ["train", ConfigFile(run, output, "studio_config.yaml"), $"output_dir={output}", .. Restart(run, output)],
            RunKind.Predict => ["predict", ConfigFile(run, output, "studio_config.yaml"), $"output_dir={output}"],
            // Port 0: the worker takes any free loopback port and announces its URL in its ready event.
            RunKind.Serve => ["serve", ConfigFile(run, output, "serve_config.yaml"), "--port", "0"],
            // The export's own folder (export_dir under saves/exports/) is in its config; this folder keeps its log.
            RunKind.Export => ["export", ConfigFile(run, output, "export_config.yaml")],
            _ => throw new NotSupportedException($"Runs of kind {run.Kind} have no worker yet."),
        };
    }

    /// <summary>
    /// A train run queued again (resumed after a cancel, an interruption or a failure) continues from its last
    /// complete checkpoint; without one (or with only a half-written one) it starts over in its own folder.
    /// </summary>
    static IEnumerable<string> Restart(Run run, string output)
    {
        if (Engine.Training.CheckpointLocator.Latest(output) is not null) return ["resume_from_checkpoint=true"];
        return run.StartedAt is null ? [] : ["overwrite_output_dir=true"];
    }

    static string ConfigFile(Run run, string output, string name)
    {
        Directory.CreateDirectory(output);
        var path = Path.Combine(output, name);
        File.WriteAllText(path, run.Config);
        return path;
    }

    static string DotNetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}
