using Microsoft.AspNetCore.HttpOverrides;

namespace PgxStudio.Hosting;

/// <summary>
/// Behind a reverse proxy on this machine (Studio:TrustForwardedHeaders), the client's address, scheme and host come from
/// the proxy's X-Forwarded-For / -Proto / -Host: otherwise every proxied browser would look like the machine itself
/// (an admin with Studio:Auth none, the one who may create the first account), and the session cookie would not be
/// marked Secure behind an HTTPS proxy. Only a proxy on loopback is believed; anyone else's headers are ignored.
/// </summary>
public static class ForwardedHeaders
{
    public static void UseForwardedHeadersWhenTrusted(this WebApplication app, StudioOptions studio)
    {
        if (!studio.TrustForwardedHeaders) return;
        // The defaults: KnownProxies is loopback, and one hop (the proxy's own entry) is read.
        app.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                               | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                               | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost,
        });
    }
}
