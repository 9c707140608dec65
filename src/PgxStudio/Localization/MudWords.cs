using Microsoft.Extensions.Localization;
using MudBlazor;

namespace PgxStudio.Localization;

/// <summary>
/// MudBlazor's own words (a close button's label, a pager's "Next page", a file upload's limits) in the page's
/// language. Each key's English is MudBlazor's, and that English is our resource key as everywhere else; the keys
/// below are the ones the studio's components can show. Anything else falls back to MudBlazor's English.
/// </summary>
public sealed class MudWords(PageStrings words) : MudLocalizer
{
    /// <summary>MudBlazor's key → its English text (read from MudBlazor 9's LanguageResource).</summary>
    public static readonly IReadOnlyDictionary<string, string> English = new Dictionary<string, string>
    {
        ["MudAlert_Close"] = "Close", ["MudChip_Close"] = "Close", ["MudDialog_Close"] = "Close", ["MudSnackbar_Close"] = "Close",
        ["MudFileUpload_Button"] = "Browse files", ["MudFileUpload_DragAndDrop"] = "Drag files here or click to browse",
        ["MudFileUpload_FileSizeError"] = "File '{0}' exceeds the maximum allowed size of {1} bytes.",
        ["MudFileUpload_MaximumFileCountExceeded"] = "Selected {0} files, which exceeds the maximum of {1}",
        ["MudInput_Clear"] = "Clear", ["MudInput_Decrement"] = "Decrement", ["MudInput_Increment"] = "Increment",
        ["MudPagination_CurrentPage"] = "Current page {0}", ["MudPagination_PageIndex"] = "Page {0}",
        ["MudPagination_FirstPage"] = "First page", ["MudPagination_PreviousPage"] = "Previous page",
        ["MudPagination_NextPage"] = "Next page", ["MudPagination_LastPage"] = "Last page",
        ["MudTablePager_FirstPage"] = "First page", ["MudTablePager_PreviousPage"] = "Previous page",
        ["MudTablePager_NextPage"] = "Next page", ["MudTablePager_LastPage"] = "Last page",
        ["MudTable_Loading"] = "Loading…", ["MudSelect_SelectAll"] = "Select all",
    };

    public override LocalizedString this[string key] =>
        English.TryGetValue(key, out var english) ? Named(key, words[english]) : base[key];

    public override LocalizedString this[string key, params object[] arguments] =>
        English.TryGetValue(key, out var english) ? Named(key, words[english, arguments]) : base[key, arguments];

    static LocalizedString Named(string key, LocalizedString found) => new(key, found.Value, found.ResourceNotFound);
}
