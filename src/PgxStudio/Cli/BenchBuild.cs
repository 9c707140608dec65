using System.Diagnostics;
using System.Reflection;

namespace PgxStudio.Cli;

/// <summary>
/// Benchmarks of a Debug build measure the JIT's unoptimized code, not the engine: the decode step's own product ran
/// at a third of its speed that way, and a whole session's serve figures were taken from one before anyone noticed.
/// </summary>
public static class BenchBuild
{
    public static bool IsOptimized(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };

    /// <summary>One line on standard error when the engine was built without optimization.</summary>
    public static void WarnIfUnoptimized()
    {
        if (!IsOptimized(typeof(PgxStudio.Engine.Models.CausalLM).Assembly))
            Console.Error.WriteLine("pgx bench: this is a Debug build, so its figures are not the engine's; build with -c Release (scripts/studio.sh does) and run bin/Release/net10.0/pgx.");
    }
}
