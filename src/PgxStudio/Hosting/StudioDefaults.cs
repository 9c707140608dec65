using Microsoft.Extensions.Configuration.Memory;

namespace PgxStudio.Hosting;

/// <summary>
/// Settings the studio has even without an appsettings.json in its content root (a `--contentRoot` elsewhere):
/// the lowest layer, so appsettings.json, PGX_ variables and arguments still override every one.
/// </summary>
public static class StudioDefaults
{
    static readonly Dictionary<string, string?> Values = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        // Per-request lines from ASP.NET Core and the queue's polling would be hundreds of lines a minute.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
        ["Logging:LogLevel:Hangfire"] = "Warning",
        // Its one warning is that the keys are not encrypted at rest; StudioKeys says once, at Information, why not.
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager"] = "Error",
        ["AllowedHosts"] = "*",
    };

    public static void AddStudioDefaults(this IConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Values });

    /// <summary>The studio's own web assets (app.css, favicon.svg, js/), copied beside the executable by the build.</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");
}
