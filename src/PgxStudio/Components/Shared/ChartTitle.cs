using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.LayoutLib.TitleLib;

namespace PgxStudio.Components.Shared;

/// <summary>Chart titles sit at the left: Plotly's mode bar (zoom, download) appears at the top right and would cover a centred one.</summary>
public static class ChartTitle
{
    public static Title Left(string text) => new() { Text = text, X = 0, XAnchor = XAnchorEnum.Left, XRef = XRefEnum.Paper };
}
