using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Machine;
using PgxStudio.Hosting;

namespace PgxStudio.Tests.Components;

/// <summary>The System page shows the studio's HTTPS certificate fingerprint, the one printed at start.</summary>
public class SystemHttpsTests
{
    [Fact]
    public async Task The_System_page_shows_the_certificate_fingerprint_and_a_second_start_reuses_the_certificate()
    {
        var saves = Path.Combine(Path.GetTempPath(), "pgx-https-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var made = StudioCertificate.LoadOrCreate(saves, ["localhost", "127.0.0.1"]);
            var again = StudioCertificate.LoadOrCreate(saves, ["localhost", "127.0.0.1"]);
            Assert.Equal(made.Fingerprint, again.Fingerprint);
            Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", made.Fingerprint);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(made.Path));

            await using var ctx = new StudioComponentContext(configure: s => s.AddSingleton(made));
            var page = ctx.Render<SystemPage>(p => p.AddCascadingValue(ctx.Session));
            Assert.Contains(made.Fingerprint, page.Find("#system-https").TextContent);
        }
        finally
        {
            Directory.Delete(saves, recursive: true);
        }
    }
}
