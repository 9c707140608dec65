using PgxStudio.Persistence;

namespace PgxStudio.Localization;

/// <summary>
/// Keys a page looks up from a value rather than a literal key: a run's status, a System fact's name, a
/// sentence shared with the command line. The resource test checks these beside the literal keys it finds in the
/// sources, so a new one listed here without a translation fails the build's tests.
/// </summary>
public static class ComputedKeys
{
    /// <summary>The names SystemFacts.Rows gives its rows (the System page shows them through the localizer).</summary>
    static readonly string[] SystemFactNames =
    [
        "OS", "Kernel", "Architecture", "CPU", "Cores", "Memory", ".NET", "TorchSharp", "libtorch", "Device", "Torch threads",
        "CUDA devices", "Native libraries", "libtorch loaded from", "Free under saves/",
    ];

    /// <summary>The titles Monitoring.MonitorCharts gives the System page's live charts.</summary>
    static readonly string[] MonitorChartTitles = ["CPU", "Memory", "GPU utilisation", "GPU temperature", "GPU power", "GPU SM clock"];

    /// <summary>The legends of those charts (a GPU's series is its index, "GPU 0", the same in every language).</summary>
    static readonly string[] MonitorSeries = ["CPU %", "used", "available"];

    public static IEnumerable<string> All =>
    [
        .. Enum.GetNames<RunStatus>(),
        .. Enum.GetNames<RunKind>(),
        .. SystemFactNames,
        .. MonitorChartTitles,
        .. MonitorSeries,
        Components.Shared.Clipboard.Refused,
        .. MudWords.English.Values,
        // The memory plan's part names (the Train page's table) and where the free memory figure comes from.
        "weights", "LoRA + optimizer state", "optimizer state", "gradients", "activations", "logits chunk", "workspace",
        Engine.Planning.AvailableMemory.CudaSource, Engine.Planning.AvailableMemory.MemAvailableSource,
    ];
}
