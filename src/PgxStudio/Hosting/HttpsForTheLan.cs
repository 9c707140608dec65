namespace PgxStudio.Hosting;

/// <summary>
/// When the studio listens on an https:// address, a browser elsewhere that comes over plain HTTP is sent there
/// (307, so a form post stays a post; temporary, as the settings may change): passwords and session cookies do not cross the LAN in the clear. Browsers on the
/// machine itself may keep using HTTP.
/// </summary>
public static class HttpsForTheLan
{
    public static void UseHttpsForTheLan(this WebApplication app, IConfiguration configuration)
    {
        var port = ListenAddresses.Named(configuration)
            .Where(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            .Select(u => Uri.TryCreate(u.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri) ? uri.Port : 0)
            .FirstOrDefault(p => p > 0);
        if (port == 0) return;
        app.Use(async (context, next) =>
        {
            if (context.Request.IsHttps || LocalRequests.IsLocal(context))
            {
                await next();
                return;
            }
            var target = $"https://{context.Request.Host.Host}{(port == 443 ? "" : $":{port}")}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
            context.Response.Redirect(target, permanent: false, preserveMethod: true);
        });
    }
}
