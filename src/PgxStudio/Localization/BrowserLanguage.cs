using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;

namespace PgxStudio.Localization;

/// <summary>
/// The browser's Accept-Language, read so that any Chinese it prefers gets the studio's Chinese: "zh", "zh-Hans",
/// "zh-SG" or "zh-TW" are not "zh-CN", and ASP.NET Core's own reader would fall back to English for them (it only
/// walks from a child culture up to its parent). The first language the studio speaks, by the browser's order of
/// preference, wins; none gives English.
/// </summary>
public sealed class BrowserLanguage : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
        Task.FromResult(Choose(httpContext.Request.Headers.AcceptLanguage.ToString()) is { } language
            ? new ProviderCultureResult(language)
            : null);

    /// <summary>The studio language for an Accept-Language header, or null when it names none the studio speaks.</summary>
    public static string? Choose(string? acceptLanguage)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage)
            || !StringWithQualityHeaderValue.TryParseList(acceptLanguage.Split(','), out var languages)) return null;
        foreach (var language in languages.Where(l => (l.Quality ?? 1) > 0).OrderByDescending(l => l.Quality ?? 1)) // OrderBy is stable
        {
            var tag = language.Value.Value ?? "";
            if (tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase))
                return StudioCultures.Chinese;
            if (tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase))
                return StudioCultures.English;
        }
        return null;
    }
}
