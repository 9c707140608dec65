using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace PgxStudio.Localization;

/// <summary>
/// The languages the studio speaks and how a browser picks one: the language switch's cookie first, else the signed-in
/// account's last choice, else the browser's Accept-Language (any Chinese gets Chinese), else English. Only the words
/// change: numbers and dates are formatted the same way for everyone (the server's culture), so a loss of 0.1234 reads
/// the same in both languages.
/// </summary>
public static class StudioCultures
{
    public const string English = "en";
    public const string Chinese = "zh-CN";
    public static readonly string[] Supported = [English, Chinese];

    /// <summary>The switch's endpoint: sets the culture cookie and goes back to the page the user was on.</summary>
    public const string SwitchPath = "/culture";

    /// <summary>How long a browser remembers its language.</summary>
    static readonly TimeSpan Remembered = TimeSpan.FromDays(365);

    public static IApplicationBuilder UseStudioCultures(this IApplicationBuilder app)
    {
        var formatting = CultureInfo.CurrentCulture;
        var options = new RequestLocalizationOptions
        {
            // The circuit's culture is fixed when the browser connects: the switch reloads the page through SwitchPath.
            DefaultRequestCulture = new RequestCulture(formatting, new CultureInfo(English)),
            SupportedCultures = [formatting],
            SupportedUICultures = [.. Supported.Select(c => new CultureInfo(c))],
            FallBackToParentUICultures = true, // en-US, en-GB → en
        };
        options.RequestCultureProviders =
        [
            new QueryStringRequestCultureProvider(),
            new CookieRequestCultureProvider(),
            new AccountLanguage(),
            new BrowserLanguage(),
        ];
        return app.UseRequestLocalization(options);
    }

    public static void MapCultureSwitch(this IEndpointRouteBuilder app) =>
        app.MapGet(SwitchPath, async (string culture, string? back, HttpContext context) =>
        {
            if (!Supported.Contains(culture))
                return Results.BadRequest($"Unknown language '{culture}': use one of {string.Join(", ", Supported)}.");
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { MaxAge = Remembered, HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            await AccountLanguage.RememberAsync(context, culture);
            // Only back to a page of this studio: an open redirect would let a link send users elsewhere.
            return Results.LocalRedirect(IsLocalPath(back) ? back! : "/");
        });

    /// <summary>A path on this site ("/train?x=1"), not "//evil.example" or "/\evil.example".</summary>
    internal static bool IsLocalPath(string? path) =>
        !string.IsNullOrEmpty(path) && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'));
}
