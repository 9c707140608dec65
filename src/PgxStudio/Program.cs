using PgxStudio.Cli;

// Verbs (and the engine calls they make) initialize libtorch on their own: all of them read the Torch section.
PgxStudio.Engine.Native.TorchRuntime.UseConfiguration(() => PgxStudio.Hosting.TorchConfiguration.Read(args));

// One executable, two faces: with a verb it is the `pgx` command line (and the studio's workers);
// without one it is the studio.
// Signals are the verbs' own business (WorkerConsole, the studio's host): System.CommandLine's handler would turn a
// graceful stop on SIGTERM into exit code 143, which the studio reads as "killed".
return await Verbs.Root().Parse(Verbs.IsVerbInvocation(args) ? args : ["studio", .. args])
    .InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null });
public partial class Program;
