using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PgxStudio.Hosting;

/// <summary>
/// Browsers on the machine itself come straight in; browsers elsewhere on the LAN must enter the studio's
/// access key once (kept as a cookie holding a hash of the key, never the key).
/// </summary>
public static class LanAccess
{
    const string CookieName = "pgx-access";
    const string FormPath = "/access";

    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote) || remote.Equals(context.Connection.LocalIpAddress);
    }

    public static void UseLanAccess(this WebApplication app)
    {
        var key = app.Services.GetRequiredService<IOptions<StudioOptions>>().Value.AccessKey;
        if (string.IsNullOrWhiteSpace(key)) return; // only loopback is bound (checked at start-up)
        var token = Hash(key);

        app.MapPost(FormPath, async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (!FixedTimeEquals(Hash(form["key"].ToString()), token))
                return Results.Content(Page("That key is not right; ask whoever runs the studio."), "text/html");
            context.Response.Cookies.Append(CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(30) });
            return Results.Redirect("/");
        }).DisableAntiforgery();

        app.Use(async (context, next) =>
        {
            if (IsLocal(context) || context.Request.Path.StartsWithSegments(FormPath) ||
                FixedTimeEquals(context.Request.Cookies[CookieName] ?? "", token))
            {
                await next();
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(Page(null));
        });
    }

    static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("pgx-studio:" + key)));

    static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    static string Page(string? error) => $$"""
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>PGX Studio</title>
        <style>body{font-family:Roboto,sans-serif;display:flex;justify-content:center;margin-top:15vh}form{display:flex;flex-direction:column;gap:12px;width:320px}</style></head>
        <body><form method="post" action="{{FormPath}}"><h2>PGX Studio</h2>
        <label>Access key <input name="key" type="password" autofocus style="width:100%"></label>
        {{(error is null ? "" : $"<p style=\"color:#b00020\">{WebUtility.HtmlEncode(error)}</p>")}}
        <button type="submit">Enter</button></form></body></html>
        """;
}
