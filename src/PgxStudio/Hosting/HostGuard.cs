namespace PgxStudio.Hosting;

/// <summary>
/// Refuses requests whose Host header names anything but the studio (DNS rebinding), and requests made by a page of
/// another origin (a WebSocket or SignalR connection, a form posted from elsewhere): browsers send Origin for those.
/// </summary>
public static class HostGuard
{
    public static void UseHostGuard(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<StudioHosts>();
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, hosts) is not { } refusal)
            {
                await next();
                return;
            }
            context.Response.StatusCode = refusal.Status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(refusal.Sentence);
        });
    }

    public static (int Status, string Sentence)? Refusal(HttpRequest request, StudioHosts hosts)
    {
        var host = request.Host.Host;
        if (!hosts.Allows(host))
            return (StatusCodes.Status400BadRequest,
                $"This studio does not answer to the host name '{Shown(host)}'; open it at an address it listens on, or add the name to Studio:AllowedHosts.");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, request, hosts))
            return (StatusCodes.Status403Forbidden,
                $"Requests from pages at '{Shown(origin)}' are refused; open the studio at its own address.");
        return null;
    }

    /// <summary>The Origin's host must be one of the studio's and name the very host and port the request went to.</summary>
    static bool SameOrigin(string origin, HttpRequest request, StudioHosts hosts)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !hosts.Allows(uri.Host)) return false;
        var port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(uri.IdnHost.Trim('[', ']'), request.Host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && uri.Port == port;
    }

    // What an attacker sent is echoed only in plain text and only so long.
    static string Shown(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
