namespace PgxStudio.Localization;

/// <summary>
/// The studio's words, one resource for the whole UI: Strings.resx holds English (the neutral language) and
/// Strings.zh-CN.resx Simplified Chinese. Keys are the English text itself, so a page reads <c>@L["Learning rate"]</c>
/// and a key missing from a language shows English rather than a blank. Keys must differ in more than case (compiled
/// resources keep only one of "Step" and "step"): a second use of a word in another case gets a context, as in
/// <c>L["[chart] step"]</c>, whose English value is the word alone. Components get <c>L</c> (a
/// <see cref="PageStrings"/>, the circuit's language) from _Imports.razor; services ask for <c>IStringLocalizer&lt;Strings&gt;</c>.
/// </summary>
public sealed class Strings;
