using System.Net;

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

    /// <summary>
    /// The one beyond-loopback check: the addresses of these that a machine on the network could reach. Used on what
    /// every way names before start-up and on what Kestrel really bound after it.
    /// </summary>
    public static IReadOnlyList<string> BeyondLoopback(IEnumerable<string> urls) => urls.Where(u => !IsLoopback(u)).ToList();

    public static bool IsLoopback(string url)
    {
        if (Host(url) is not { } host) return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>The host part of a listen URL without brackets ("*" and "+" as they are); null when it is no URL.</summary>
    public static string? Host(string url)
    {
        var trimmed = url.Trim();
        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return null;
        var rest = trimmed[(scheme + 3)..];
        var end = rest.IndexOf('/');
        var authority = end < 0 ? rest : rest[..end];
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            return close < 0 ? null : authority[1..close];
        }
        var colon = authority.LastIndexOf(':');
        var host = colon < 0 ? authority : authority[..colon];
        return host.Length == 0 ? null : host;
    }

    /// <summary>"Every address of this machine": *, +, 0.0.0.0, ::.</summary>
    public static bool IsWildcard(string host) =>
        host is "*" or "+" || (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));

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
