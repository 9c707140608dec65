using PgxStudio.Cli;

// One executable, two faces: with a verb it is the `pgx` command line (and the studio's workers);
// without one it is the studio.
return await Verbs.Root().Parse(Verbs.IsVerbInvocation(args) ? args : ["studio", .. args]).InvokeAsync();
public partial class Program;
