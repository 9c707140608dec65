using System.Globalization;
using Microsoft.Extensions.Localization;

namespace PgxStudio.Localization;

/// <summary>
/// The localizer pages use (<c>L</c> in _Imports.razor): the <see cref="Strings"/> resource in the language of the
/// browser's circuit, kept from when the circuit started. A page re-rendered by a live update (a run's step, a monitor
/// sample, a queue change) renders on the thread that raised it, whose UI culture is the server's: looking words up in
/// the current culture there would turn a Chinese page English mid-run.
/// </summary>
public sealed class PageStrings(IStringLocalizer<Strings> strings) : IStringLocalizer
{
    /// <summary>The circuit's (or, prerendering, the request's) language: this service lives one circuit or request.</summary>
    public CultureInfo Culture { get; } = CultureInfo.CurrentUICulture;

    public LocalizedString this[string name] => InCulture(() => strings[name]);

    public LocalizedString this[string name, params object[] arguments] => InCulture(() => strings[name, arguments]);

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => InCulture(() => strings.GetAllStrings(includeParentCultures).ToList());

    T InCulture<T>(Func<T> lookUp)
    {
        var current = CultureInfo.CurrentUICulture;
        if (Equals(current, Culture)) return lookUp();
        CultureInfo.CurrentUICulture = Culture;
        try { return lookUp(); }
        finally { CultureInfo.CurrentUICulture = current; }
    }
}
