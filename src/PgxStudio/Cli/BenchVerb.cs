using System.CommandLine;

namespace PgxStudio.Cli;

/// <summary>`pgx bench …`: speed measured against this machine's own limits, printed machine-readable.</summary>
public static class BenchVerb
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: each prints its figures and, with --json, one JSON object.");
        command.Subcommands.Add(BenchTokenizeVerb.Create());
        command.Subcommands.Add(BenchServeVerb.Create());
        command.Subcommands.Add(BenchModelVerbs.Decode());
        command.Subcommands.Add(BenchModelVerbs.Prefill());
        command.Subcommands.Add(BenchTrainVerb.Create());
        command.Subcommands.Add(BenchCurveVerb.Create());
        command.Subcommands.Add(BenchModelFolderVerb.Create());
        return command;
    }
}
