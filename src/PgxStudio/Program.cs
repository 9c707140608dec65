using PgxStudio.Cli;
using PgxStudio.Engine.Native;

// Verbs (and the engine calls they make) initialize libtorch on their own: all of them read the Torch section.
TorchRuntime.UseConfiguration(() => PgxStudio.Hosting.TorchConfiguration.Read(args));

// One executable, two faces: with a verb it is the `pgx` command line (and the studio's workers);
// without one it is the studio.
// Signals are the verbs' own business (WorkerConsole, the studio's host): System.CommandLine's handler would turn a
// graceful stop on SIGTERM into exit code 143, which the studio reads as "killed".
if (args is ["bench", ..] && !args.Contains("--case")) BenchBuild.WarnIfUnoptimized(); // a case child: its parent has said it
try
{
    return await Verbs.Root().Parse(Verbs.IsVerbInvocation(args) ? args : ["studio", .. args])
        .InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (TorchSetupException e)
{
    // A Torch setting a user can fix (Torch:NativeDirectory, Device) is one sentence in every verb, not a stack trace.
    Console.Error.WriteLine($"pgx: {e.Message}");
    return 2;
}
catch (Exception e)
{
    // What System.CommandLine's own handler does with anything else.
    Console.Error.WriteLine($"Unhandled exception: {e}");
    return 1;
}
public partial class Program;
