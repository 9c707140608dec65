using System.CommandLine;
using System.Text.Json;
using PgxStudio.Engine.Native;
using PgxStudio.Hosting;
using PgxStudio.SystemInfo;

namespace PgxStudio.Cli;

/// <summary>`pgx env`: the machine and runtime facts the System page shows, like `llamafactory-cli env`.</summary>
public static class EnvVerb
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var contentRoot = new Option<string?>("--contentRoot") { Description = "The studio folder (default: found from here)." };
        var command = new Command("env", "Print the machine, runtime and device facts.") { json, contentRoot };
        command.SetAction((parse, ct) =>
        {
            var root = parse.GetValue(contentRoot) is { } given ? Path.GetFullPath(given) : ContentRoot.Find([]);
            var configuration = new ConfigurationBuilder().SetBasePath(root)
                .AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("PGX_").Build();
            TorchInfo torch;
            StudioOptions studio;
            try
            {
                studio = StartupChecks.BindOptions(configuration);
                torch = TorchRuntime.Initialize(StartupChecks.BindTorchOptions(configuration));
            }
            catch (Exception e) when (e is StartupProblem or TorchSetupException)
            {
                Console.Error.WriteLine($"pgx env: {e.Message}");
                return Task.FromResult(2);
            }
            var saves = Path.GetFullPath(Path.Combine(root, studio.SavesDirectory));
            var facts = SystemFacts.Read(torch, saves);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(facts.Rows().ToDictionary(r => r.Name, r => r.Value), new JsonSerializerOptions { WriteIndented = true }));
            else
                foreach (var (name, value) in facts.Rows()) Console.WriteLine($"- {name}: {value}");
            return Task.FromResult(0);
        });
        return command;
    }
}
