using System.CommandLine;

namespace PgxStudio.Cli;

/// <summary>`pgx bench …`: speed figures measured on this machine, printed for people or, with --json, as one JSON object.</summary>
public static class BenchVerb
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks; each prints its figures and, with --json, one JSON object.");
        command.Subcommands.Add(BenchTokenizeVerb.Create());
        return command;
    }
}
