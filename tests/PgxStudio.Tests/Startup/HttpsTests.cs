using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Startup;

/// <summary>
/// HTTPS on the LAN: an https:// address without a configured certificate gets the studio's own self-signed one for
/// this machine's names, kept under saves/ and announced by its fingerprint; plain HTTP from elsewhere is sent to HTTPS.
/// </summary>
[Collection(Queue.StudioCollection.Name)]
public class HttpsTests
{
    [Fact]
    public async Task The_studio_makes_and_announces_its_certificate_and_sends_LAN_browsers_from_HTTP_to_HTTPS()
    {
        using var root = TempContentRoot.WithCommittedListening();
        int https = StudioProcess.FreePort(), plain = StudioProcess.FreePort();
        await using var studio = StudioProcess.Start(root.Path, new Dictionary<string, string?>
        {
            ["PGX_Studio__Auth"] = "accounts",
            ["PGX_Studio__TrustForwardedHeaders"] = "true", // lets the test stand for a LAN browser behind a local proxy
        }, "--urls", $"https://127.0.0.1:{https};http://127.0.0.1:{plain}");
        await studio.WaitUntilListeningAsync();

        var line = Assert.Single(studio.Output, l => l.StartsWith("HTTPS certificate ", StringComparison.Ordinal));
        var printed = Regex.Match(line, "SHA-256 fingerprint ([0-9A-F:]+);").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(root.Saves, "https", "studio.pfx")), line);

        X509Certificate2? served = null;
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => { served = new X509Certificate2(certificate!); return true; },
        };
        using var http = new HttpClient(handler);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync($"https://127.0.0.1:{https}/")).StatusCode); // to the sign-in
        Assert.NotNull(served);
        Assert.Equal(printed.Replace(":", ""), Convert.ToHexString(served!.GetCertHash(HashAlgorithmName.SHA256)));
        var names = served.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(Dns.GetHostName(), names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());

        // A browser elsewhere on plain HTTP goes to HTTPS, its form post staying a post; the machine itself may stay.
        using var fromLan = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{plain}/login?returnUrl=%2F") { Headers = { { "X-Forwarded-For", "192.168.1.50" } } };
        var redirected = await http.SendAsync(fromLan);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal($"https://127.0.0.1:{https}/login?returnUrl=%2F", redirected.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync($"http://127.0.0.1:{plain}/")).StatusCode);
    }
}
