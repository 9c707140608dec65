using System.CommandLine;

namespace PgxStudio.Cli;

/// <summary>
/// Every `pgx` verb. Each verb lives in its own file as a static <c>Create()</c> returning its Command; add it
/// to the list here. Workers started by the studio are these same verbs.
/// </summary>
public static class Verbs
{
    public static RootCommand Root()
    {
        var root = new RootCommand("PGX Studio: fine-tune, chat with, evaluate and serve open LLMs on one machine.");
        foreach (var verb in All()) root.Subcommands.Add(verb);
        return root;
    }

    static IEnumerable<Command> All() =>
    [
        StudioVerb.Create(),
        EnvVerb.Create(),
        SelfTestVerb.Create(),
        TokenizeVerb.Create(),
        CreateDemoModelVerb.Create(),
        PerplexityVerb.Create(),
        LogitsVerb.Create(),
        BenchVerb.Create(),
        ScoreVerb.Create(),
        ServeVerb.Create(),
        ChatVerb.Create(),
        TrainVerb.Create(),
        EstimateVerb.Create(),
        ExportVerb.Create(),
        PredictVerb.Create(),
        UserVerb.Create(),
        RemoteVerb.Create(),
    ];

    /// <summary>True when the arguments name a verb (or ask for help); otherwise the studio starts.</summary>
    public static bool IsVerbInvocation(string[] args) =>
        args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) || args is ["--help"] or ["-h"] or ["--version"];
}
