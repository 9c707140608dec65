using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PgxStudio.Hosting;

/// <summary>
/// The studio's own HTTPS certificate for the LAN: self-signed for this machine's names and addresses, made on the
/// first start that listens on an https:// address without a configured certificate, kept in saves/https (this user
/// only) and reused. Browsers warn about it once; its SHA-256 fingerprint, printed at start and on the System page, is
/// what a colleague compares before accepting it.
/// </summary>
public sealed class StudioCertificate
{
    const string FileName = "studio.pfx";
    static readonly TimeSpan Lifetime = TimeSpan.FromDays(825); // the longest browsers accept for a server certificate

    StudioCertificate(X509Certificate2 certificate, string path)
    {
        Certificate = certificate;
        Path = path;
    }

    public X509Certificate2 Certificate { get; }
    public string Path { get; }

    /// <summary>"AB:CD:…", as browsers show a certificate's SHA-256 fingerprint.</summary>
    public string Fingerprint => Convert.ToHexString(Certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);

    /// <summary>True when the studio must supply the certificate: an https address is named and none is configured.</summary>
    public static bool Needed(IConfiguration configuration) =>
        ListenAddresses.Named(configuration).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        && configuration.GetSection("Kestrel:Certificates:Default").GetChildren().All(c => string.IsNullOrEmpty(c.Value))
        && configuration.GetSection("Kestrel:Endpoints").GetChildren().All(e => !e.GetSection("Certificate").GetChildren().Any());

    public static StudioCertificate LoadOrCreate(string saves, IEnumerable<string> names)
    {
        var folder = System.IO.Path.Combine(saves, "https");
        var path = System.IO.Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            if (existing.NotAfter > DateTime.Now.AddDays(30)) return new StudioCertificate(existing, path);
        }
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var certificate = Create(names);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        try { File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a drive without Unix modes
        return new StudioCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, null), path);
    }

    static X509Certificate2 Create(IEnumerable<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=PGX Studio on {Dns.GetHostName()}", key, HashAlgorithmName.SHA256);
        var alternative = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name, out var ip)) alternative.AddIpAddress(ip);
            else alternative.AddDnsName(name);
        }
        request.CertificateExtensions.Add(alternative.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        return request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.Add(Lifetime));
    }
}
