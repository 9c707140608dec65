using System.Runtime.InteropServices;
using TorchSharp;

namespace PgxStudio.Engine.Native;

/// <summary>
/// The one place that loads libtorch, decides the device and sets the thread count. Call
/// <see cref="Initialize"/> before the first tensor is made; later calls return the same answer.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static TorchInfo? _info;
    static Func<TorchOptions>? _configured;

    public static TorchInfo Info => _info ?? throw new InvalidOperationException("TorchRuntime.Initialize has not run.");

    public static bool IsInitialized => _info is not null;

    /// <summary>
    /// Where <see cref="Initialize"/> reads its settings when a caller passes none: the executable's configuration, so
    /// every verb and every engine call that initializes on its own honours Torch:NativeDirectory, Device and Threads.
    /// </summary>
    public static void UseConfiguration(Func<TorchOptions> read)
    {
        lock (Gate) _configured = read;
    }

    public static TorchInfo Initialize(TorchOptions? options = null)
    {
        lock (Gate)
        {
            if (_info is not null) return _info;
            options ??= _configured?.Invoke() ?? new TorchOptions();
            string nativeSource = string.IsNullOrWhiteSpace(options.NativeDirectory)
                ? PreparePackagedNatives()
                : LoadCustomNatives(options.NativeDirectory!);

            bool wantCuda = options.Device.ToLowerInvariant() switch
            {
                "auto" => true,
                "cuda" => true,
                "cpu" => false,
                var other => throw new TorchSetupException(
                    $"Torch:Device is '{other}'; use auto, cpu or cuda."),
            };
            if (wantCuda) torch.TryInitializeDeviceType(DeviceType.CUDA);
            torch.InitializeDeviceType(DeviceType.CPU);

            bool cuda = torch.cuda.is_available();
            if (options.Device.Equals("cuda", StringComparison.OrdinalIgnoreCase) && !cuda)
                throw new TorchSetupException(
                    "Torch:Device is 'cuda' but no CUDA device is usable; set Torch:NativeDirectory to a CUDA build of LibTorchSharp or use Device=auto.");

            int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
            torch.set_num_threads(threads);

            var device = cuda ? torch.CUDA : torch.CPU;
            var cudaDevices = new List<string>();
            if (cuda)
                for (int i = 0; i < torch.cuda.device_count(); i++) cudaDevices.Add($"cuda:{i}");

            _info = new TorchInfo(device, threads, nativeSource, cudaDevices,
                typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
                LibTorchVersion(options.NativeDirectory), LoadedLibrary("libtorch_cpu.so"));
            return _info;
        }
    }

    /// <summary>
    /// The packaged libLibTorchSharp.so sits next to the assembly (runtimes/&lt;rid&gt;/native in a build
    /// folder, the app folder once published); patch whichever copies the loader can pick.
    /// </summary>
    static string PreparePackagedNatives()
    {
        var copies = FindPackagedLibTorchSharp().ToList();
        // A pgx published without TorchSharp's natives (the CUDA bundle) has nothing to fall back on.
        if (copies.Count == 0)
            throw new TorchSetupException(
                $"No libLibTorchSharp.so next to the app ({AppContext.BaseDirectory}); set Torch:NativeDirectory to a folder built with scripts/build-libtorchsharp.sh.");
        bool needed = LibStdCxxCompatibility.SystemNeedsFix();
        var outcomes = copies.Select(copy => FixLibStdCxx(copy, needed)).Distinct();
        return $"TorchSharp package ({copies[0]}; libstdc++ fix: {string.Join(", ", outcomes)})";
    }

    static string FixLibStdCxx(string library, bool needed)
    {
        try
        {
            return LibStdCxxCompatibility.Apply(library, needed).ToString();
        }
        catch (UnauthorizedAccessException)
        {
            throw new TorchSetupException(
                $"{library} needs a one-time compatibility fix for this system's older libstdc++ but is read-only; make it writable once (or run the studio once as its owner).");
        }
    }

    public static IEnumerable<string> FindPackagedLibTorchSharp()
    {
        var baseDir = AppContext.BaseDirectory;
        var rid = RuntimeInformation.RuntimeIdentifier;
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (var candidate in new[]
                 {
                     Path.Combine(baseDir, "runtimes", arch, "native", "libLibTorchSharp.so"),
                     Path.Combine(baseDir, "runtimes", rid, "native", "libLibTorchSharp.so"),
                     Path.Combine(baseDir, "libLibTorchSharp.so"),
                 }.Distinct())
            if (File.Exists(candidate)) yield return candidate;
    }

    /// <summary>
    /// Loads a custom build in dependency order by full path. Later loads by name (TorchSharp's own, and every
    /// DllImport("LibTorchSharp")) are then answered by the already-loaded libraries through their sonames.
    /// </summary>
    internal static string LoadCustomNatives(string directory)
    {
        if (!Directory.Exists(directory))
            throw new TorchSetupException(
                $"Torch:NativeDirectory '{directory}' does not exist; build it with scripts/build-libtorchsharp.sh or clear the setting to use the CPU package.");
        var libTorchSharp = Path.Combine(directory, "libLibTorchSharp.so");
        if (!File.Exists(libTorchSharp))
            throw new TorchSetupException(
                $"Torch:NativeDirectory '{directory}' has no libLibTorchSharp.so; build it with scripts/build-libtorchsharp.sh.");
        // TorchSharp loads its backend by name, and the runtime answers names from the app's own folder first: copies
        // of TorchSharp-cpu's natives there would load a second libtorch beside this one (it aborts at once).
        if (FindPackagedLibTorchSharp().FirstOrDefault() is { } packaged)
            throw new TorchSetupException(
                $"Torch:NativeDirectory is set but this pgx carries TorchSharp-cpu's own natives ({Path.GetDirectoryName(packaged)}), which would load beside it; build or publish pgx with -p:TorchNatives=false (scripts/make-cuda-bundle.sh does).");
        // A copy of a LibTorchSharp built on a newer system (TorchSharp's own, say) may need the same fix as the package's.
        var fix = FixLibStdCxx(libTorchSharp, LibStdCxxCompatibility.SystemNeedsFix());
        try
        {
            // A folder may carry its libtorch (a copy of TorchSharp's natives); scripts/build-libtorchsharp.sh's
            // library instead finds the libtorch it was built against through its RUNPATH. Loaded by full path here,
            // they answer TorchSharp's later loads by name (their sonames).
            foreach (var name in new[] { "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" })
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path)) NativeLibrary.Load(path);
            }
            NativeLibrary.Load(libTorchSharp);
        }
        catch (DllNotFoundException e)
        {
            throw new TorchSetupException($"{libTorchSharp} could not be loaded: {e.Message}");
        }
        return $"custom ({directory}; libstdc++ fix: {fix})";
    }

    /// <summary>The file a loaded library was mapped from: which libtorch this process really runs.</summary>
    static string? LoadedLibrary(string fileName)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..].Trim();
                var name = Path.GetFileName(path);
                if (name == fileName || name.StartsWith(fileName + ".", StringComparison.Ordinal)) return path;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>
    /// libtorch does not report its version through TorchSharp: a custom build's folder carries libtorch's
    /// build-version file; the CPU package pins it in the app's dependency manifest.
    /// </summary>
    static string LibTorchVersion(string? nativeDirectory)
    {
        if (!string.IsNullOrWhiteSpace(nativeDirectory))
        {
            foreach (var file in new[] { "build-version", "../build-version" })
            {
                var path = Path.Combine(nativeDirectory, file);
                if (File.Exists(path)) return File.ReadAllText(path).Trim();
            }
            return "custom build";
        }
        var deps = AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string;
        foreach (var file in (deps ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!File.Exists(file)) continue;
            var match = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(file), @"""libtorch-cpu-linux-(?:x64|arm64)/([0-9.]+)""");
            if (match.Success) return match.Groups[1].Value + " (cpu)";
        }
        return "unknown";
    }
}

/// <summary>What the studio runs tensors on, decided once at start.</summary>
public sealed record TorchInfo(
    torch.Device Device,
    int Threads,
    string NativeSource,
    IReadOnlyList<string> CudaDevices,
    string TorchSharpVersion,
    string LibTorchVersion,
    string? LibTorchPath)
{
    public bool IsCuda => Device.type == DeviceType.CUDA;
}

/// <summary>A setup problem a user can fix; its message is the one sentence shown.</summary>
public sealed class TorchSetupException(string message) : Exception(message);
