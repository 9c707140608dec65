using System.CommandLine;

namespace PgxStudio.Cli;

/// <summary>`pgx studio`: the web studio (also what `pgx` with no verb runs).</summary>
public static class StudioVerb
{
    public static Command Create()
    {
        var command = new Command("studio", "Run the web studio (default when no verb is given).");
        command.TreatUnmatchedTokensAsErrors = false; // ASP.NET options such as --urls pass through
        command.SetAction((parse, ct) => Task.FromResult(0));
        return command;
    }
}
