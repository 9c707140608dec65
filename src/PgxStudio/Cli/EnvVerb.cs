using System.CommandLine;

namespace PgxStudio.Cli;

/// <summary>`pgx env`: the machine and runtime facts, like `llamafactory-cli env`.</summary>
public static class EnvVerb
{
    public static Command Create()
    {
        var command = new Command("env", "Print the machine, runtime and device facts.");
        command.SetAction((parse, ct) => Task.FromResult(0));
        return command;
    }
}
