using Microsoft.JSInterop;

namespace PgxStudio.Components.Shared;

/// <summary>Copying text in the user's browser; false when the browser refused (pages then say to copy by hand).</summary>
public static class Clipboard
{
    public static async Task<bool> TryCopyAsync(IJSRuntime js, string text)
    {
        try { return await js.InvokeAsync<bool>("pgxStudio.copyText", text); }
        catch (JSException) { return false; }
    }

    public const string Refused = "This browser refused the clipboard: select the text and copy it.";
}
