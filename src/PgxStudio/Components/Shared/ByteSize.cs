namespace PgxStudio.Components.Shared;

/// <summary>A file size as pages show it (binary units).</summary>
public static class ByteSize
{
    public static string Text(long? bytes) => bytes switch
    {
        null => "—",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
