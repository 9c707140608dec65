namespace PgxStudio.Engine.Native;

/// <summary>The <c>Torch</c> configuration section: where libtorch comes from and what it runs on.</summary>
public sealed class TorchOptions
{
    /// <summary>
    /// A folder holding a custom libLibTorchSharp.so and the libtorch it was built against (the GB10 path:
    /// aarch64 + CUDA). Empty: use the natives of the TorchSharp-cpu package.
    /// </summary>
    public string? NativeDirectory { get; set; }

    /// <summary><c>auto</c> (CUDA when available, else CPU), <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Intra-op threads; 0 means one per core.</summary>
    public int Threads { get; set; }
}
