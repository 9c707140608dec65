using System.CommandLine;
using PgxStudio.Hosting;

namespace PgxStudio.Cli;

/// <summary>`pgx studio`: the web studio (also what `pgx` with no verb runs).</summary>
public static class StudioVerb
{
    public static Command Create()
    {
        var command = new Command("studio", "Run the web studio (default when no verb is given). ASP.NET options such as --urls pass through.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => StudioHost.RunAsync(parse.UnmatchedTokens.ToArray()));
        return command;
    }
}
