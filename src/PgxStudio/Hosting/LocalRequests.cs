using System.Net;

namespace PgxStudio.Hosting;

/// <summary>A request from a browser on the machine the studio runs on.</summary>
public static class LocalRequests
{
    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote) || remote.Equals(context.Connection.LocalIpAddress);
    }
}
