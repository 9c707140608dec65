using PgxStudio.Engine.Native;

namespace PgxStudio.Hosting;

/// <summary>The Torch section as a verb sees it: appsettings.json under the content root, then PGX_Torch__* variables.</summary>
public static class TorchConfiguration
{
    public static TorchOptions Read(string[] args)
    {
        var configuration = new ConfigurationBuilder().SetBasePath(ContentRoot.Find(args))
            .AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("PGX_").Build();
        try
        {
            return StartupChecks.BindTorchOptions(configuration);
        }
        catch (StartupProblem e)
        {
            // Verbs already report a TorchSetupException as their one sentence.
            throw new TorchSetupException(e.Message);
        }
    }
}
