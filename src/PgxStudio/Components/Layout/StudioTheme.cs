using MudBlazor;

namespace PgxStudio.Components.Layout;

/// <summary>The studio's colours: NVIDIA green on neutral greys, in light and dark.</summary>
public static class StudioTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#4a7a00", AppbarBackground = "#1f2a1a", Secondary = "#00796b" },
        PaletteDark = new PaletteDark { Primary = "#76b900", AppbarBackground = "#151a13", Secondary = "#4db6ac" },
    };
}
