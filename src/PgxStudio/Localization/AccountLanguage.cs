using System.Security.Claims;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Persistence;

namespace PgxStudio.Localization;

/// <summary>
/// With accounts, the language follows the person: the switch saves it on their account, and a browser they sign in
/// from without the switch's cookie (a laptop, a new xRDP session) starts in it. Asked only when no cookie decided.
/// </summary>
public sealed class AccountLanguage : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        if (AccountId(httpContext) is not { } id) return null;
        var factory = httpContext.RequestServices.GetRequiredService<IDbContextFactory<StudioDbContext>>();
        await using var db = await factory.CreateDbContextAsync(httpContext.RequestAborted);
        var language = await db.Users.Where(u => u.Id == id).Select(u => u.Language).FirstOrDefaultAsync(httpContext.RequestAborted);
        return language is not null && StudioCultures.Supported.Contains(language) ? new ProviderCultureResult(language) : null;
    }

    /// <summary>Saves the choice on the signed-in person's account; nothing without accounts or sign-in.</summary>
    public static async Task RememberAsync(HttpContext httpContext, string language)
    {
        if (AccountId(httpContext) is not { } id) return;
        var factory = httpContext.RequestServices.GetRequiredService<IDbContextFactory<StudioDbContext>>();
        await using var db = await factory.CreateDbContextAsync(httpContext.RequestAborted);
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Language, language), httpContext.RequestAborted);
    }

    static string? AccountId(HttpContext httpContext) =>
        httpContext.User.Identity?.IsAuthenticated == true ? httpContext.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
