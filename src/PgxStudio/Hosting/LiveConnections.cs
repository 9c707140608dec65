namespace PgxStudio.Hosting;

/// <summary>
/// A browser with a studio page open holds a live connection (the page's circuit, a WebSocket) that Kestrel cannot
/// drain by itself: a graceful stop then waited out the host's whole shutdown timeout (30 s) before the studio exited.
/// When the studio begins to stop, such connections are ended at once; the page shows its lost-connection panel.
/// </summary>
public static class LiveConnections
{
    public static void UseLiveConnectionsEndOnStop(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/_blazor"))
            {
                await next();
                return;
            }
            await using var _ = stopping.Register(context.Abort);
            await next();
        });
    }
}
