using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PgxStudio.Hosting;

namespace PgxStudio.Tests.Startup;

/// <summary>The access key guard, with requests arriving from a LAN address and from the machine itself.</summary>
public class LanAccessTests
{
    static async Task<TestServer> Start()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.Configure<StudioOptions>(o => o.AccessKey = "open sesame");
        var app = builder.Build();
        app.UseLanAccess();
        app.MapGet("/", () => "studio");
        await app.StartAsync();
        return app.GetTestServer();
    }

    static Task<HttpContext> Get(TestServer server, string ip, string? cookie = null) => server.SendAsync(c =>
    {
        c.Request.Method = "GET";
        c.Request.Path = "/";
        c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        c.Connection.LocalIpAddress = IPAddress.Parse("192.168.1.10");
        if (cookie is not null) c.Request.Headers.Cookie = cookie;
    });

    [Fact]
    public async Task A_LAN_browser_without_the_key_gets_the_key_form_and_the_machine_itself_does_not()
    {
        using var server = await Start();
        Assert.Equal(401, (await Get(server, "192.168.1.77")).Response.StatusCode);
        Assert.Equal(200, (await Get(server, "127.0.0.1")).Response.StatusCode);
    }

    [Fact]
    public async Task The_right_key_sets_a_cookie_that_lets_the_LAN_browser_in_and_a_wrong_one_does_not()
    {
        using var server = await Start();
        async Task<HttpContext> Post(string key) => await server.SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = "/access";
            c.Connection.RemoteIpAddress = IPAddress.Parse("192.168.1.77");
            c.Request.ContentType = "application/x-www-form-urlencoded";
            c.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("key=" + Uri.EscapeDataString(key)));
        });

        var wrong = await Post("guess");
        Assert.False(wrong.Response.Headers.SetCookie.Any());
        var right = await Post("open sesame");
        var cookie = right.Response.Headers.SetCookie.ToString().Split(';')[0];
        Assert.StartsWith("pgx-access=", cookie);
        Assert.DoesNotContain("sesame", cookie); // the cookie carries a hash, never the key
        Assert.Equal(200, (await Get(server, "192.168.1.77", cookie)).Response.StatusCode);
        Assert.Equal(401, (await Get(server, "192.168.1.77", "pgx-access=forged")).Response.StatusCode);
    }
}
