namespace PgxStudio.Hosting;

/// <summary>
/// Where the studio listens, asked in any of ASP.NET Core's usual ways: <c>Kestrel:Endpoints</c>, <c>--urls</c> /
/// <c>ASPNETCORE_URLS</c> / <c>Urls</c>, or <c>ASPNETCORE_HTTP_PORTS</c> / <c>HTTPS_PORTS</c>. The studio's own
/// default applies only when none of them says anything.
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://localhost:5000";

    /// <summary>What Kestrel will bind: its endpoints win over urls, and urls over ports (ASP.NET Core's order).</summary>
    public static IReadOnlyList<string> Effective(IConfiguration configuration)
    {
        if (Endpoints(configuration) is { Count: > 0 } endpoints) return endpoints;
        if (Urls(configuration) is { Count: > 0 } urls) return urls;
        if (Ports(configuration) is { Count: > 0 } ports) return ports;
        return [Default];
    }

    /// <summary>
    /// Every address any of the ways names, even one Kestrel would then override: the access-key check looks at all of
    /// them, so no way of asking slips past it.
    /// </summary>
    public static IReadOnlyList<string> Named(IConfiguration configuration) =>
        [.. Endpoints(configuration), .. Urls(configuration), .. Ports(configuration)];

    public static bool NoneGiven(IConfiguration configuration) => Named(configuration).Count == 0;

    static List<string> Endpoints(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"]).OfType<string>().Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()).ToList();

    static List<string> Urls(IConfiguration configuration) => Split(configuration["urls"]).ToList();

    static List<string> Ports(IConfiguration configuration) =>
    [
        .. Split(configuration["http_ports"]).Select(p => $"http://*:{p}"),
        .. Split(configuration["https_ports"]).Select(p => $"https://*:{p}"),
    ];

    static IEnumerable<string> Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
